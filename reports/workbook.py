"""The national report as an Excel workbook (XlsxWriter): one sheet per table, headers from the label
catalogue, frozen header row, number formats, column widths, auto-filter.

XlsxWriter's constant_memory mode streams each row to disk as it is written, and writes cells about
3× faster than openpyxl's write-only mode (issue 7: at 40× the enterprise sheets were 5¾ minutes of
the report). Rows may therefore come from an iterator (a DuckDB cursor) instead of a list.

Cells that Excel would read as a formula (text starting with =, +, - or @, e.g. an enterprise
named "=cmd" in a pilot list) are written as text with Excel's quote prefix: never as a formula.
A number that is not finite (NaN, ±inf: e.g. an observed value a check could not bound) becomes an
empty cell, as NULL does; XlsxWriter would otherwise write it as a `=1/0`-style formula (#DIV/0!).
"""
from __future__ import annotations

import datetime as dt
import decimal
import itertools
import math
import unicodedata
from collections.abc import Iterable, Sized
from dataclasses import dataclass, field
from pathlib import Path

import xlsxwriter

from pilotdw.reports.formatting import EXCEL_FORMATS, is_missing

FORMULA_PREFIXES = ("=", "+", "-", "@")
HEADER_STYLE = {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E79", "pattern": 1, "valign": "vcenter", "text_wrap": True}
# Column widths are sized from the header and this many leading rows: sizing every cell of a
# million-row sheet costs more than writing it.
WIDTH_SAMPLE_ROWS = 2_000
MIN_WIDTH, MAX_WIDTH = 8, 60


@dataclass
class Sheet:
    """A table for the workbook: `columns` are (header, kind) pairs, `rows` tuples of values in that
    order (raw mart values; bools and labels already turned into text by the caller). `rows` may be
    a one-pass iterator; give its length as `count` so a table longer than Excel allows is split
    into numbered sheets from the start."""

    title: str
    columns: list[tuple[str, str]]
    rows: Iterable[tuple] = field(default_factory=list)
    count: int | None = None
    lang: str = "zh"  # of the note that says where a table too long for the workbook went

    def row_count(self) -> int:
        if self.count is not None:
            return self.count
        if isinstance(self.rows, Sized):
            return len(self.rows)
        raise ValueError(f"sheet {self.title!r}: rows is an iterator; give its length as count")


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


# Excel's last row; a longer table continues on a second sheet of the same name.
EXCEL_MAX_ROWS = 1_048_576


def _parts(spec: Sheet) -> list[tuple[str, int]]:
    """(sheet title, rows on it) for each sheet the table needs."""
    per_sheet = EXCEL_MAX_ROWS - 1  # one row for the header
    total = spec.row_count()
    if total <= per_sheet:
        return [(spec.title[:31], total)]
    sizes = [min(per_sheet, total - start) for start in range(0, total, per_sheet)]
    return [(f"{spec.title[:26]} ({n})", size) for n, size in enumerate(sizes, start=1)]


class _Formats:
    """The workbook's cell formats, created once (XlsxWriter formats belong to one workbook)."""

    def __init__(self, wb: xlsxwriter.Workbook):
        self.header = wb.add_format(HEADER_STYLE)
        self.quoted = wb.add_format({"quote_prefix": True})
        self.kinds = {kind: wb.add_format({"num_format": code}) for kind, code in EXCEL_FORMATS.items()}


def _writer(ws, formats: _Formats, kind: str):
    """The function that writes one value of a column of `kind`: typed writes only, so no string
    is ever parsed as a formula, a number or a URL."""
    number_format = formats.kinds.get(kind)
    date_format = number_format or formats.kinds["date"]

    def put(row: int, col: int, value: object) -> None:
        if is_missing(value):
            return  # an empty cell
        if isinstance(value, str):
            if value.startswith(FORMULA_PREFIXES):
                ws.write_string(row, col, value, formats.quoted)
            else:
                ws.write_string(row, col, value)
        elif isinstance(value, bool):
            ws.write_boolean(row, col, value)
        elif isinstance(value, (int, float, decimal.Decimal)):
            number = float(value) if isinstance(value, decimal.Decimal) else value
            if isinstance(number, float) and not math.isfinite(number):
                return  # NaN, ±inf: an empty cell, never a formula
            ws.write_number(row, col, number, number_format)
        elif isinstance(value, (dt.datetime, dt.date)):
            if isinstance(value, dt.datetime) and value.tzinfo is not None:
                value = value.replace(tzinfo=None)  # Excel has no time zones; audit times are UTC/naive
            ws.write_datetime(row, col, value, date_format)
        else:
            ws.write_string(row, col, str(value))

    return put


# A table longer than this goes beside the workbook as a CSV file, its sheet saying so (issue 17):
# XlsxWriter writes ~10 k cells a second, so at 40× national scale (a million enterprises) the
# enterprise sheets were most of the report's 160 s; Python's csv writer is ~10× faster, and a sheet
# of a million rows is past what Excel filters and pivots comfortably anyway.
# Env PILOTDW_XLSX_MAX_ROWS (0: never).
DEFAULT_MAX_SHEET_ROWS = 200_000
SPILL_NOTE = {
    "zh": "本表共 {rows:,} 行，超过工作簿每表 {limit:,} 行的上限，完整数据另存为同一文件夹中的 {file}（UTF-8 编码 CSV，可用 Excel 打开）。",
    "en": "This table has {rows:,} rows, more than the workbook's {limit:,} per table: the full table is {file} in the same folder (UTF-8 CSV; Excel opens it).",
}


def max_sheet_rows() -> int:
    import os

    return int(os.environ.get("PILOTDW_XLSX_MAX_ROWS") or DEFAULT_MAX_SHEET_ROWS)


def spill_path(path: Path, spec: Sheet) -> Path:
    """Where a table too long for the workbook is written: beside it, named after the workbook and the sheet."""
    return path.with_name(f"{path.stem}_{spec.title}.csv")


def write_workbook(sheets: list[Sheet], path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    # No nan_inf_to_errors: a non-finite number that ever got past `put` raises instead of becoming a formula.
    wb = xlsxwriter.Workbook(str(path), {"constant_memory": True})
    formats = _Formats(wb)
    limit = max_sheet_rows()
    try:
        for spec in sheets:
            rows = iter(spec.rows)
            if limit and spec.row_count() > limit:
                _spill(wb, formats, spec, rows, spill_path(path, spec), limit)
                continue
            for title, size in _parts(spec):
                _write_sheet(wb.add_worksheet(title), formats, spec.columns, itertools.islice(rows, size), size)
    finally:
        wb.close()
    return path


def _write_sheet(ws, formats: _Formats, columns: list[tuple[str, str]], rows: Iterable[tuple], size: int) -> None:
    ws.freeze_panes(1, 0)
    widths = [_display_width(header) for header, _ in columns]
    for j, (header, _) in enumerate(columns):
        ws.write_string(0, j, header, formats.header)
    puts = [_writer(ws, formats, kind) for _, kind in columns]
    kinds = [kind for _, kind in columns]
    written = 0
    for i, row in enumerate(rows, start=1):
        for j, value in enumerate(row):
            puts[j](i, j, value)
        if i <= WIDTH_SAMPLE_ROWS:
            for j, value in enumerate(row):
                if not is_missing(value) and not (isinstance(value, float) and math.isinf(value)):
                    widths[j] = max(widths[j], _display_width(_shown_like(value, kinds[j])))
        written = i
    # In constant_memory mode the column widths and the filter are written when the sheet is
    # closed, so they can be set after the rows.
    for j, w in enumerate(widths):
        ws.set_column(j, j, min(MAX_WIDTH, max(MIN_WIDTH, w + 2)))
    if written:
        ws.autofilter(0, 0, written, len(columns) - 1)
    if written != size:
        raise ValueError(f"sheet {ws.name!r}: expected {size} rows, got {written}")


def _spill(wb, formats: _Formats, spec: Sheet, rows: Iterable[tuple], csv_path: Path, limit: int) -> None:
    """The table as CSV beside the workbook (UTF-8 with a BOM, so Excel reads the Chinese), and its
    sheet in the workbook holding the note that says so."""
    import csv

    def cell(value: object) -> object:
        if is_missing(value):
            return ""
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            value = value.replace(tzinfo=None)
        if isinstance(value, (dt.datetime, dt.date)):
            return value.isoformat(sep=" ") if isinstance(value, dt.datetime) else value.isoformat()
        if isinstance(value, str) and value.startswith(FORMULA_PREFIXES):
            return "'" + value  # never a formula when Excel opens the file
        return value

    written = 0
    with csv_path.open("w", encoding="utf-8-sig", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([header for header, _ in spec.columns])
        for row in rows:
            writer.writerow([cell(v) for v in row])
            written += 1
    if written != spec.row_count():
        raise ValueError(f"table {spec.title!r}: expected {spec.row_count()} rows, got {written}")
    ws = wb.add_worksheet(spec.title[:31])
    note = SPILL_NOTE.get(spec.lang, SPILL_NOTE["en"]).format(rows=written, limit=limit, file=csv_path.name)
    ws.write_string(0, 0, note)
    ws.set_column(0, 0, MAX_WIDTH)
