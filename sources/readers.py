"""Reading a landed file into tables of text cells: csv/tsv in UTF-8, UTF-8 with BOM or GB18030
(detected), and xlsx (every sheet whose header row matches), with the header row found even when
title rows stand above it."""
from __future__ import annotations

import csv
import datetime as dt
import io
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from pilotdw.sources.contract import describe_column, match_header, required_columns

ACCEPTED_FORMATS = {".csv": "csv", ".tsv": "tsv", ".xlsx": "xlsx"}
HEADER_SEARCH_ROWS = 20  # title rows and notes above the header, as government templates have


class Rejected(Exception):
    """The file cannot be read at all; the message says why, for audit.loads.reason."""


@dataclass
class Table:
    """One block of rows under a matched header (a csv file, or one xlsx sheet)."""

    sheet: str | None
    header_row: int  # 1-based row of the header as a person sees it
    header: list[str]  # the header cells as written, by position
    columns: dict[str, int]  # contract column → position
    extras: dict[str, int]  # header text of columns the contract does not name → position
    frame: pd.DataFrame  # text cells (None when empty); columns are positions; index is the row number


@dataclass
class ReadResult:
    format: str
    encoding: str | None
    tables: list[Table] = field(default_factory=list)


def file_format(path: Path) -> str | None:
    return ACCEPTED_FORMATS.get(path.suffix.lower())


def decode(data: bytes) -> tuple[str, str]:
    """The text and the encoding that decodes it strictly: UTF-8 with BOM, UTF-8, else GB18030.
    Strict decoding is the detection: GB18030 text is almost never valid UTF-8, and every byte string
    that is not GB18030 fails too, so no statistical guess is needed for these three."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("gb18030"), "gb18030"
    except UnicodeDecodeError as exc:
        raise Rejected(
            f"cannot decode the file as UTF-8, UTF-8 with BOM or GB18030 (byte {exc.start}); "
            "save it as UTF-8 or GB18030 text"
        ) from None


def _find_header(source: str, rows: list[list[object]], where: str) -> tuple[int, dict[int, str]]:
    """Index of the first row (among the first few) that names every required column, and its mapping."""
    required = required_columns(source)
    best: tuple[int, dict[int, str]] = (-1, {})
    for i, cells in enumerate(rows[:HEADER_SEARCH_ROWS]):
        mapping = match_header(source, cells)
        if all(name in mapping.values() for name in required):
            return i, mapping
        if len(mapping) > len(best[1]):
            best = (i, mapping)
    i, mapping = best
    missing = [describe_column(source, n) for n in required if n not in mapping.values()]
    if i < 0:
        raise Rejected(f"{where}: no header row found in the first {HEADER_SEARCH_ROWS} rows; expected columns {', '.join(missing)}")
    raise Rejected(f"{where}: header (row {i + 1}) lacks required column(s) {', '.join(missing)}")


def _table(source: str, sheet: str | None, rows: list[list[object]], header_index: int, mapping: dict[int, str], body: pd.DataFrame) -> Table:
    header = rows[header_index]
    extras = {
        str(header[p]).strip(): p
        for p in range(len(header))
        if p not in mapping and header[p] not in (None, "") and str(header[p]).strip()
    }
    texts = [str(c).strip() if c not in (None, "") else f"column {p + 1}" for p, c in enumerate(header)]
    texts += [f"column {p + 1}" for p in range(len(texts), body.shape[1])]
    return Table(sheet, header_index + 1, texts, {name: p for p, name in mapping.items()}, extras, body)


def _drop_empty_rows(frame: pd.DataFrame) -> pd.DataFrame:
    if frame.empty:
        return frame
    filled = frame.notna() & frame.apply(lambda c: c.astype("str").str.strip().str.len() > 0)
    return frame[filled.any(axis=1)]


def read_delimited(source: str, data: bytes, fmt: str, name: str) -> ReadResult:
    text, encoding = decode(data)
    sep = "\t" if fmt == "tsv" else ","
    head_lines = text.splitlines()[:HEADER_SEARCH_ROWS]
    if fmt == "csv" and head_lines and "\t" in head_lines[0] and "," not in head_lines[0]:
        sep = "\t"  # a tab-separated file saved as .csv: say nothing, read it
    head_rows = list(csv.reader(head_lines, delimiter=sep))
    header_index, mapping = _find_header(source, head_rows, name)
    width = max(len(r) for r in head_rows)
    try:
        body = pd.read_csv(
            io.StringIO(text),
            sep=sep,
            header=None,
            names=range(width),
            skiprows=header_index + 1,
            dtype="str",
            keep_default_na=False,
            na_values=[""],
            skip_blank_lines=False,
            engine="c",
        )
    except pd.errors.ParserError as exc:
        raise Rejected(f"{name}: not a well-formed {fmt} table: {exc}; expected at most {width} cells per row") from None
    body.index = pd.RangeIndex(header_index + 2, header_index + 2 + len(body))
    body = _drop_empty_rows(body)
    return ReadResult(fmt, encoding, [_table(source, None, head_rows, header_index, mapping, body)])


def _cell_text(value: object) -> object:
    """A spreadsheet cell as the text a person sees: 2023.0 → '2023', dates ISO, blanks None."""
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, (dt.date, dt.time)):
        return value.isoformat()
    return str(value)


def read_xlsx(source: str, path: Path, name: str) -> ReadResult:
    from python_calamine import CalamineWorkbook  # imported here: only xlsx files need it

    try:
        workbook = CalamineWorkbook.from_path(str(path))
    except Exception as exc:  # calamine raises its own error types for broken zips and xml
        raise Rejected(f"{name}: not a readable xlsx workbook ({exc})") from None
    result = ReadResult("xlsx", None)
    reasons: list[str] = []
    for sheet_name in workbook.sheet_names:
        try:
            rows = workbook.get_sheet_by_name(sheet_name).to_python(skip_empty_area=False)
        except Exception as exc:
            reasons.append(f"sheet {sheet_name}: unreadable ({exc})")
            continue
        try:
            header_index, mapping = _find_header(source, rows, f"sheet {sheet_name}")
        except Rejected as exc:
            reasons.append(str(exc))
            continue
        width = max((len(r) for r in rows), default=0)
        body_rows = [[_cell_text(v) for v in r] + [None] * (width - len(r)) for r in rows[header_index + 1 :]]
        body = pd.DataFrame(body_rows, columns=range(width), dtype="str")
        body = body.where(body.notna(), None) if not body.empty else body
        body.index = pd.RangeIndex(header_index + 2, header_index + 2 + len(body))
        body = _drop_empty_rows(body)
        result.tables.append(_table(source, sheet_name, rows, header_index, mapping, body))
    if not result.tables:
        raise Rejected(f"{name}: no sheet has a matching header: " + "; ".join(reasons))
    return result


def read_file(source: str, path: Path, name: str) -> ReadResult:
    """Read one archived file; `name` is the landing path used in messages. Raises Rejected."""
    fmt = file_format(Path(name))
    if fmt is None:
        raise Rejected(f"{name}: unsupported file type '{Path(name).suffix or '(none)'}'; expected .csv, .tsv or .xlsx")
    if fmt == "xlsx":
        return read_xlsx(source, path, name)
    return read_delimited(source, path.read_bytes(), fmt, name)
