"""How canonical rows become landing files: header texts, encodings, date/year/number shapes,
csv/tsv/xlsx writers, deterministic bytes and modification times.

A Shape says how one file looks; a Sink receives canonical chunks (English column names, typed
values) and renders them in that shape. Big delimited files are written chunk by chunk with
pyarrow's C++ CSV writer; xlsx is for small files only (a sink falls back to csv when it grows).
"""
from __future__ import annotations

import calendar
import datetime as dt
import io
import os
import re
import zipfile
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from pilotdw.demo.codes import stream

XLSX_MAX_ROWS = 2_000  # above this a planned workbook is written as csv instead (openpyxl: ~100k cells/s)
_FIXED_ZIP_TIME = (2026, 1, 1, 0, 0, 0)
_EXCEL_EPOCH = np.datetime64("1899-12-30", "D")
_FULLWIDTH = str.maketrans("0123456789.", "０１２３４５６７８９．")

DATE_COLUMNS = {"submitted_on", "assessed_on"}
YEAR_COLUMNS = {"recognized_year", "revoked_year", "year"}
INT_COLUMNS = {"seq", "batch", "grade", "invention_applications", "invention_grants", "valid_invention_patents",
               "high_value_invention_patents", "pct_applications", "trademark_registrations", "ip_staff"}
MONEY_COLUMNS = {"revenue", "rd_expense", "ip_budget", "ip_transaction_income", "ip_pledge_financing",
                 "patent_product_revenue"}
SCORE_COLUMNS = {"total_score", "foundation_score", "strategy_score", "process_score", "results_score"}
PCT_COLUMNS = {"rd_intensity"}


@dataclass
class Shape:
    """How one landing file looks. headers: (canonical column, header text) in file order."""
    ext: str  # csv | tsv | xlsx
    headers: tuple[tuple[str, str], ...]
    encoding: str = "utf-8"  # utf-8 | utf-8-sig | gb18030 (xlsx: not used)
    dates: str = "iso"  # iso | slash | dot | cjk | excel (date cells) | serial (Excel serial numbers)
    years: str = "plain"  # plain | cjk | mixed
    numbers: str = "plain"  # plain | thousands | fullwidth (a share of cells in full-width digits)
    missing: tuple[str, ...] = ("",)  # how a not-reported value is written (chosen per cell)
    values: dict[str, dict] = field(default_factory=dict)  # column -> {canonical: (shown alternatives…)}
    title: str | None = None  # xlsx: a title row above the header
    notes: tuple[str, tuple[str, ...]] | None = None  # xlsx: an irrelevant sheet (name, lines)
    notes_last: bool = False
    sheet: str = "Sheet1"  # xlsx: data sheet name when the rows do not say

    @property
    def delimiter(self) -> str:
        return "\t" if self.ext == "tsv" else ","

    def plain(self) -> "Shape":
        """The same columns as a plain UTF-8 csv with English headers (formats='csv')."""
        return Shape("csv", tuple((c, c) for c, _ in self.headers))


@dataclass
class Chunk:
    """Canonical rows on their way to a file. bad marks the deliberately bad rows; overrides puts
    a literal text into a cell (an unparseable date, a year in Chinese numerals…)."""
    frame: pd.DataFrame
    bad: np.ndarray | None = None
    overrides: dict[str, dict[int, str]] = field(default_factory=dict)
    sheet: str | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def bad_count(self) -> int:
        return 0 if self.bad is None else int(np.count_nonzero(self.bad))


# ---------------------------------------------------------------- cell rendering

def _date_parts(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    d = values.to_numpy(dtype="datetime64[D]")
    missing = np.isnat(d)
    d = np.where(missing, np.datetime64("2000-01-01", "D"), d)
    y = d.astype("datetime64[Y]").astype(np.int64) + 1970
    m = d.astype("datetime64[M]").astype(np.int64) % 12 + 1
    dom = (d - d.astype("datetime64[M]").astype("datetime64[D]")).astype(np.int64) + 1
    return y, m, dom, missing


def _date_text(values: pd.Series, style: str) -> pd.Series:
    y, m, dom, missing = _date_parts(values)
    if style in ("iso", "excel"):
        d = values.to_numpy(dtype="datetime64[D]")
        out = pd.Series(np.datetime_as_string(np.where(missing, np.datetime64("2000-01-01", "D"), d), unit="D"),
                        dtype="str")
    elif style == "serial":
        d = values.to_numpy(dtype="datetime64[D]")
        serial = (np.where(missing, _EXCEL_EPOCH, d) - _EXCEL_EPOCH).astype(np.int64)
        out = pd.Series(serial.astype(str), dtype="str")
    else:
        ys, ms, ds = (pd.Series(a.astype(str), dtype="str") for a in (y, m, dom))
        if style == "slash":
            out = ys + "/" + ms + "/" + ds
        elif style == "dot":
            out = ys + "." + ms + "." + ds
        elif style == "cjk":
            out = ys + "年" + ms + "月" + ds + "日"
        else:
            raise ValueError(style)
    return out.where(~missing, "")


def _year_text(values: pd.Series, style: str, rng: np.random.Generator) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce")
    missing = v.isna().to_numpy()
    text = pd.Series(np.where(missing, 0, v.fillna(0)).astype(np.int64).astype(str), dtype="str")
    if style == "cjk":
        text = text + "年"
    elif style == "mixed":
        text = text.where(rng.random(len(text)) < 0.5, text + "年")
    return text.where(~missing, "")


def _number_text(values: pd.Series, column: str, shape: Shape, rng: np.random.Generator) -> pd.Series:
    v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
    missing = np.isnan(v)
    sep = "," if shape.numbers == "thousands" else ""
    if column in MONEY_COLUMNS:
        fmt = "{:" + sep + ".2f}"
    elif column in SCORE_COLUMNS:
        fmt = "{:.1f}"
    elif column in PCT_COLUMNS:
        fmt = "{:.1%}"
    else:
        fmt = "{:" + sep + ".0f}"
    text = [("" if miss else fmt.format(x)) for x, miss in zip(v.tolist(), missing.tolist())]
    if shape.numbers == "fullwidth":
        pick = rng.random(len(text)) < 0.08
        text = [t.translate(_FULLWIDTH) if p else t for t, p in zip(text, pick.tolist())]
    out = pd.Series(text, dtype="str")
    if missing.any():
        out[missing] = _missing_tokens(shape, rng, int(missing.sum()))
    return out


def _missing_tokens(shape: Shape, rng: np.random.Generator, n: int) -> np.ndarray:
    """How n not-reported cells are written: every token of the shape in turn, from a random start
    (so a file shows all of them once it has a few missing cells)."""
    start = int(rng.integers(0, len(shape.missing)))
    return np.asarray(shape.missing, dtype=object)[(start + np.arange(n)) % len(shape.missing)]


def _mapped_text(values: pd.Series, mapping: dict, rng: np.random.Generator) -> pd.Series:
    out = pd.Series([""] * len(values), dtype="str", index=values.index)
    for key, shown in mapping.items():
        hit = (values == key).to_numpy()
        if hit.any():
            out[hit] = np.asarray(shown, dtype=object)[rng.integers(0, len(shown), int(hit.sum()))]
    return out


def _plain_numeric(shape: Shape, column: str) -> bool:
    return (column in INT_COLUMNS | MONEY_COLUMNS | SCORE_COLUMNS and shape.numbers == "plain"
            and shape.missing == ("",) and column not in shape.values)


def render_columns(chunk: Chunk, shape: Shape, rng: np.random.Generator) -> dict[str, pd.Series | pa.Array]:
    """Header text -> rendered column for a delimited file: strings, or numbers where the shape
    writes them plainly (kept numeric so pyarrow formats them fast)."""
    frame = chunk.frame.reset_index(drop=True)
    out: dict[str, pd.Series | pa.Array] = {}
    for col, header in shape.headers:
        values = frame[col] if col in frame.columns else pd.Series([None] * len(frame))
        if col in shape.values:
            rendered = _mapped_text(values, shape.values[col], rng)
        elif col in DATE_COLUMNS:
            rendered = _date_text(values, shape.dates)
        elif col in YEAR_COLUMNS:
            rendered = _year_text(values, shape.years, rng)
        elif col in PCT_COLUMNS or (col in INT_COLUMNS | MONEY_COLUMNS | SCORE_COLUMNS and not _plain_numeric(shape, col)):
            rendered = _number_text(values, col, shape, rng)
        elif col in INT_COLUMNS:
            rendered = pd.to_numeric(values, errors="coerce").round().astype("Int64")
        elif col in MONEY_COLUMNS:
            rendered = pd.to_numeric(values, errors="coerce").astype(float).round(2)
        elif col in SCORE_COLUMNS:
            rendered = pd.to_numeric(values, errors="coerce").astype(float).round(1)
        else:
            rendered = values.astype("str").fillna("").where(values.notna(), "")
        if col in chunk.overrides:
            if not (rendered.dtype == "str" or rendered.dtype == object):
                rendered = rendered.astype("str").fillna("")
            rendered = rendered.copy()
            for pos, text in chunk.overrides[col].items():
                rendered.iat[pos] = text
        out[header] = rendered
    return out


def render_cells(chunk: Chunk, shape: Shape, rng: np.random.Generator) -> list[list]:
    """Rows of Python cell values for a workbook: real dates or serial numbers, numbers as
    numbers, years as numbers unless shown as '2024年'."""
    frame = chunk.frame.reset_index(drop=True)
    n = len(frame)
    columns: list[list] = []
    for col, _ in shape.headers:
        values = frame[col] if col in frame.columns else pd.Series([None] * n)
        if col in shape.values:
            cells = [int(t) if t.isdigit() else (t or None) for t in _mapped_text(values, shape.values[col], rng)]
        elif col in DATE_COLUMNS and shape.dates in ("excel", "serial"):
            d = values.to_numpy(dtype="datetime64[D]")
            if shape.dates == "excel":
                cells = [None if np.isnat(x) else x.astype(dt.date) for x in d]
            else:
                cells = [None if np.isnat(x) else int((x - _EXCEL_EPOCH).astype(int)) for x in d]
        elif col in DATE_COLUMNS:
            cells = [t or None for t in _date_text(values, shape.dates)]
        elif col in YEAR_COLUMNS and shape.years == "plain":
            cells = [None if pd.isna(x) else int(x) for x in pd.to_numeric(values, errors="coerce")]
        elif col in YEAR_COLUMNS:
            cells = [t or None for t in _year_text(values, shape.years, rng)]
        elif col in PCT_COLUMNS or (col in INT_COLUMNS | MONEY_COLUMNS | SCORE_COLUMNS and shape.numbers != "plain"):
            cells = [t or None for t in _number_text(values, col, shape, rng)]
        elif col in INT_COLUMNS | MONEY_COLUMNS | SCORE_COLUMNS:
            v = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)
            digits = 2 if col in MONEY_COLUMNS else 1
            miss = np.isnan(v)
            tokens = _missing_tokens(shape, rng, n)
            cells = [(tokens[i] or None) if miss[i] else (int(round(x)) if col in INT_COLUMNS else round(x, digits))
                     for i, x in enumerate(v.tolist())]
        else:
            cells = [None if (x is None or (isinstance(x, float) and np.isnan(x)) or x == "") else str(x)
                     for x in values.tolist()]
        for pos, text in chunk.overrides.get(col, {}).items():
            cells[pos] = text
        columns.append(cells)
    return [list(row) for row in zip(*columns)] if columns else []


# ---------------------------------------------------------------- writers

def _header_line(shape: Shape) -> str:
    def cell(text: str) -> str:
        return '"' + text.replace('"', '""') + '"' if any(c in text for c in (shape.delimiter, '"', "\n")) else text
    return shape.delimiter.join(cell(h) for _, h in shape.headers) + "\n"


def _delimited_text(columns: dict[str, pd.Series | pa.Array], shape: Shape) -> str:
    """Body lines (no header). pyarrow when no string needs quoting (fast, unquoted), else pandas
    (quotes only the cells that need it)."""
    arrays = {h: (pa.array(c, from_pandas=True) if not isinstance(c, pa.Array) else c) for h, c in columns.items()}
    names = list(arrays)
    table = pa.table([arrays[h] for h in names], names=[f"c{i}" for i in range(len(names))])
    special = f'[{re.escape(shape.delimiter)}"\n\r]'
    safe = all(not pc.any(pc.match_substring_regex(col, special)).as_py()
               for col in table.columns if pa.types.is_string(col.type) or pa.types.is_large_string(col.type))
    if safe:
        buf = io.BytesIO()
        pacsv.write_csv(table, buf, pacsv.WriteOptions(include_header=False, delimiter=shape.delimiter,
                                                       quoting_style="none"))
        return buf.getvalue().decode("utf-8")
    frame = table.to_pandas()
    return frame.to_csv(index=False, header=False, sep=shape.delimiter, lineterminator="\n")


def write_xlsx(path: Path, sheets: list[tuple[str, str | None, list[str], list[list]]],
               notes: tuple[str, tuple[str, ...]] | None, notes_last: bool) -> None:
    """A workbook: optional notes sheet, then (name, title row, header, rows) per data sheet;
    bytes made reproducible (fixed zip times and document dates)."""
    import openpyxl  # imported here: only workbook-writing paths pay for it

    wb = openpyxl.Workbook(write_only=True)
    wb.properties.creator = "pilotdw demo"
    wb.properties.created = dt.datetime(2026, 1, 1)

    def add_notes() -> None:
        ws = wb.create_sheet(notes[0])
        for line in notes[1]:
            ws.append([line])

    if notes and not notes_last:
        add_notes()
    for name, title, header, rows in sheets:
        ws = wb.create_sheet(name)
        if title:
            ws.append([title])
        ws.append(header)
        for row in rows:
            ws.append(row)
    if notes and notes_last:
        add_notes()
    buf = io.BytesIO()
    wb.save(buf)
    path.write_bytes(_reproducible_zip(buf.getvalue()))


def _reproducible_zip(data: bytes) -> bytes:
    src = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            body = src.read(info.filename)
            if info.filename == "docProps/core.xml":
                body = re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2026-01-01T00:00:00Z", body)
            entry = zipfile.ZipInfo(info.filename, date_time=_FIXED_ZIP_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            entry.external_attr = 0o600 << 16
            dst.writestr(entry, body)
    return out.getvalue()


# ---------------------------------------------------------------- files and sinks

@dataclass
class FileRecord:
    path: str  # landing-relative, e.g. 'pilots/320000_2024_b1_….csv'
    source: str
    format: str  # csv | tsv | xlsx | other
    encoding: str | None
    rows: int = 0
    bad_rows: int = 0
    sheets: list[str] = field(default_factory=list)
    header_row: int = 1  # 1-based row of the header (2 when a title row sits above it)
    when: np.datetime64 = np.datetime64("2026-01-01", "D")  # the day the file 'arrived' (its mtime)
    order: int = 0
    rejected: str | None = None  # reason, for the deliberately rejected files


class Landing:
    """The output folder: hands out sinks, remembers every file, sets the modification times."""

    def __init__(self, root: Path, seed: int, formats: str):
        self.root, self.seed, self.formats = root, seed, formats
        self.records: list[FileRecord] = []

    def shape_for(self, shape: Shape) -> Shape:
        return shape if self.formats == "mixed" else shape.plain()

    def path_for(self, source: str, name: str, shape: Shape) -> str:
        stem = name.rsplit(".", 1)[0]
        return f"{source}/{stem}.{shape.ext}"

    def record(self, rec: FileRecord) -> FileRecord:
        rec.order = len(self.records)
        self.records.append(rec)
        return rec

    def sink(self, source: str, name: str, shape: Shape, when: np.datetime64) -> "Sink":
        shape = self.shape_for(shape)
        if shape.ext == "xlsx":
            return XlsxSink(self, source, name, shape, when)
        return CsvSink(self, source, self.path_for(source, name, shape), shape, when)

    def write_frame(self, source: str, name: str, shape: Shape, when: np.datetime64, chunk: Chunk) -> None:
        sink = self.sink(source, name, shape, when)
        sink.add(chunk)
        sink.close()

    def copy(self, source: str, name: str, original: Path, when: np.datetime64, rows: int) -> None:
        target = self.root / source / name
        target.write_bytes(original.read_bytes())
        fmt = name.rsplit(".", 1)[-1]
        self.record(FileRecord(f"{source}/{name}", source, fmt, "utf-8", rows=rows, when=when))

    def raw(self, source: str, name: str, data: bytes, when: np.datetime64, reason: str) -> None:
        (self.root / source / name).write_bytes(data)
        fmt = name.rsplit(".", 1)[-1]
        self.record(FileRecord(f"{source}/{name}", source, fmt, None, when=when, rejected=reason))

    def set_mtimes(self) -> None:
        """mtime = 09:00 UTC of the file's arrival day, plus its write order in seconds: stable, and a
        resubmitted file (arriving later) is always the later file."""
        for rec in self.records:
            ts = calendar.timegm(rec.when.astype(dt.date).timetuple()) + 9 * 3600 + rec.order
            os.utime(self.root / rec.path, (ts, ts))


class Sink:
    def __init__(self, landing: Landing, source: str, name: str, shape: Shape, when: np.datetime64):
        self.landing, self.source, self.name, self.shape, self.when = landing, source, name, shape, when
        self.rng = stream(landing.seed, f"render/{source}/{name}")

    def add(self, chunk: Chunk) -> None:
        raise NotImplementedError

    def close(self) -> None:
        raise NotImplementedError


class CsvSink(Sink):
    def __init__(self, landing: Landing, source: str, path: str, shape: Shape, when: np.datetime64):
        super().__init__(landing, source, path, shape, when)
        self.path, self.fh, self.rec = path, None, None

    def add(self, chunk: Chunk) -> None:
        if not len(chunk):
            return
        if self.fh is None:
            self.fh = open(self.landing.root / self.path, "wb")
            self.rec = self.landing.record(FileRecord(self.path, self.source, self.shape.ext, self.shape.encoding,
                                                      when=self.when))
            head = _header_line(self.shape)
            self.fh.write(head.encode(self.shape.encoding))  # utf-8-sig writes the BOM here, once
        body = _delimited_text(render_columns(chunk, self.shape, self.rng), self.shape)
        codec = "utf-8" if self.shape.encoding == "utf-8-sig" else self.shape.encoding
        self.fh.write(body.encode(codec))
        self.rec.rows += len(chunk)
        self.rec.bad_rows += chunk.bad_count()

    def close(self) -> None:
        if self.fh is not None:
            self.fh.close()
            self.fh = None


class XlsxSink(Sink):
    """Buffers canonical chunks (a workbook is written at once); one data sheet per chunk.sheet.
    Grows past XLSX_MAX_ROWS: becomes a UTF-8-with-BOM csv of the same columns."""

    def __init__(self, landing: Landing, source: str, name: str, shape: Shape, when: np.datetime64):
        super().__init__(landing, source, name, shape, when)
        self.chunks: list[Chunk] = []
        self.rows = 0
        self.fallback: CsvSink | None = None

    def add(self, chunk: Chunk) -> None:
        if not len(chunk):
            return
        if self.fallback is None and self.rows + len(chunk) > XLSX_MAX_ROWS:
            shape = replace(self.shape, ext="csv", encoding="utf-8-sig",
                            dates="dot" if self.shape.dates in ("excel", "serial") else self.shape.dates)
            self.fallback = CsvSink(self.landing, self.source, self.landing.path_for(self.source, self.name, shape),
                                    shape, self.when)
            for old in self.chunks:
                self.fallback.add(old)
            self.chunks = []
        if self.fallback is not None:
            self.fallback.add(chunk)
        else:
            self.chunks.append(chunk)
            self.rows += len(chunk)

    def close(self) -> None:
        if self.fallback is not None:
            self.fallback.close()
            return
        if not self.chunks:
            return
        sheets: dict[str, list[list]] = {}
        bad = 0
        for chunk in self.chunks:
            sheets.setdefault(chunk.sheet or self.shape.sheet, []).extend(render_cells(chunk, self.shape, self.rng))
            bad += chunk.bad_count()
        path = self.landing.path_for(self.source, self.name, self.shape)
        header = [h for _, h in self.shape.headers]
        write_xlsx(self.landing.root / path, [(name, self.shape.title, header, rows) for name, rows in sheets.items()],
                   self.shape.notes, self.shape.notes_last)
        self.landing.record(FileRecord(path, self.source, "xlsx", None, rows=self.rows, bad_rows=bad,
                                       sheets=list(sheets), header_row=2 if self.shape.title else 1, when=self.when))
