"""The national report as an Excel workbook (openpyxl): one sheet per table, headers from the label
catalogue, frozen header row, number formats, column widths, auto-filter.

Cells that Excel would read as a formula (text starting with =, +, - or @, e.g. an enterprise
named "=cmd" in a pilot list) are written as text with Excel's quote prefix: never as a formula.
"""
from __future__ import annotations

import datetime as dt
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter

from reports.formatting import EXCEL_FORMATS, is_missing

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_FILL = PatternFill("solid", fgColor="1F4E79")
HEADER_FONT = Font(bold=True, color="FFFFFF")


@dataclass
class Sheet:
    """A table for the workbook: `columns` are (header, kind) pairs, `rows` tuples of values in that
    order (raw mart values; bools and labels already turned into text by the caller)."""

    title: str
    columns: list[tuple[str, str]]
    rows: list[tuple] = field(default_factory=list)


def _display_width(value: object) -> int:
    text = value if isinstance(value, str) else str(value)
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def _shown_like(value: object, kind: str) -> str:
    """Roughly what Excel will display, to size the column."""
    if kind == "pct":
        return "100.0%"
    if kind == "datetime":
        return "0000-00-00 00:00"
    if kind == "count" and isinstance(value, (int, float)):
        return f"{value:,.0f}"
    return value if isinstance(value, str) else str(value)


def _put(cell, value: object, kind: str) -> None:
    if is_missing(value):
        cell.value = None
        return
    if isinstance(value, str):
        cell.value = value
        if value.startswith(FORMULA_PREFIXES):
            # openpyxl turns a leading "=" into a formula; force text, and the quote prefix keeps
            # Excel from re-reading it as a formula when someone edits the cell.
            cell.data_type = "s"
            cell.quotePrefix = True
        return
    if isinstance(value, dt.datetime) and value.tzinfo is not None:
        value = value.replace(tzinfo=None)  # Excel has no time zones; audit times are UTC/naive
    cell.value = value
    if kind in EXCEL_FORMATS:
        cell.number_format = EXCEL_FORMATS[kind]


# Excel's last row; a longer table continues on a second sheet of the same name.
EXCEL_MAX_ROWS = 1_048_576


def _chunks(spec: Sheet) -> list[tuple[str, list[tuple]]]:
    per_sheet = EXCEL_MAX_ROWS - 1  # one row for the header
    rows = spec.rows
    if len(rows) <= per_sheet:
        return [(spec.title[:31], rows)]
    parts = [rows[i : i + per_sheet] for i in range(0, len(rows), per_sheet)]
    return [(f"{spec.title[:26]} ({n})", part) for n, part in enumerate(parts, start=1)]


def write_workbook(sheets: list[Sheet], path: Path) -> Path:
    """Write-only mode streams rows to disk instead of keeping a cell object per value: a national
    table of a million enterprises fits in memory and is written in a fraction of the time."""
    wb = Workbook(write_only=True)
    for spec in sheets:
        for title, rows in _chunks(spec):
            ws = wb.create_sheet(title)
            # Column widths must be set before the first row is written in write-only mode.
            widths = [_display_width(header) for header, _ in spec.columns]
            for row in rows:
                for j, ((_, kind), value) in enumerate(zip(spec.columns, row)):
                    if not is_missing(value):
                        widths[j] = max(widths[j], _display_width(_shown_like(value, kind)))
            for j, w in enumerate(widths, start=1):
                ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, w + 2))
            ws.freeze_panes = "A2"
            if rows:
                ws.auto_filter.ref = f"A1:{get_column_letter(len(spec.columns))}{1 + len(rows)}"
            ws.append([_header_cell(ws, header) for header, _ in spec.columns])
            for row in rows:
                ws.append([_cell(ws, value, kind) for (_, kind), value in zip(spec.columns, row)])
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path


def _header_cell(ws, header: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    _put(cell, header, "text")
    cell.font, cell.fill = HEADER_FONT, HEADER_FILL
    cell.alignment = Alignment(vertical="center", wrap_text=True)
    return cell


def _cell(ws, value: object, kind: str) -> WriteOnlyCell:
    cell = WriteOnlyCell(ws)
    _put(cell, value, kind)
    return cell
