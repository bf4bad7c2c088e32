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


def write_workbook(sheets: list[Sheet], path: Path) -> Path:
    wb = Workbook()
    wb.remove(wb.active)
    for spec in sheets:
        ws = wb.create_sheet(spec.title[:31])
        header_row = 1
        widths = []
        for j, (header, _kind) in enumerate(spec.columns, start=1):
            cell = ws.cell(row=header_row, column=j)
            _put(cell, header, "text")
            cell.font, cell.fill = HEADER_FONT, HEADER_FILL
            cell.alignment = Alignment(vertical="center", wrap_text=True)
            widths.append(_display_width(header))
        for i, row in enumerate(spec.rows, start=header_row + 1):
            for j, ((_, kind), value) in enumerate(zip(spec.columns, row), start=1):
                _put(ws.cell(row=i, column=j), value, kind)
                if not is_missing(value):
                    widths[j - 1] = max(widths[j - 1], _display_width(_shown_like(value, kind)))
        for j, w in enumerate(widths, start=1):
            ws.column_dimensions[get_column_letter(j)].width = min(60, max(8, w + 2))
        ws.freeze_panes = ws.cell(row=header_row + 1, column=1)
        if spec.rows:
            ws.auto_filter.ref = f"A{header_row}:{get_column_letter(len(spec.columns))}{header_row + len(spec.rows)}"
    path.parent.mkdir(parents=True, exist_ok=True)
    wb.save(path)
    return path
