"""What a landed file may be before it is read, so that a hostile or broken file is rejected with
its file, line and reason instead of crashing the run or exhausting memory (issue 14):

- an xlsx whose sheets inflate past a size cap, or at a ratio no spreadsheet has (a zip bomb), is
  rejected from the zip's own directory *before* anything inflates it; then every member is
  inflated once in small chunks and counted, so a directory that lies about sizes is caught too;
- a csv/tsv line longer than any table row is rejected with its line number (Python's csv module
  otherwise crashes the run on a field over 131,072 characters);
- a quote that opens a cell running over several lines (an unbalanced `"`) is rejected with the
  lines it swallowed, so no physical line disappears into another row;
- text that decodes as none of the accepted encodings is reported by line and column.
"""
from __future__ import annotations

import os
import zipfile
from pathlib import Path

import numpy as np

from pilotdw.sources.readers import Rejected

MB = 1 << 20


def _env_int(name: str, default: int) -> int:
    value = os.environ.get(name, "").strip()
    return int(value) if value.isdigit() else default


def xlsx_max_bytes() -> int:
    """Most bytes an xlsx may inflate to, all members together (env PILOTDW_XLSX_MAX_MB, default
    256): a national register of 25,000 enterprises is ~25 MB of sheet XML."""
    return _env_int("PILOTDW_XLSX_MAX_MB", 256) * MB


def xlsx_max_ratio() -> int:
    """Largest inflated ÷ compressed size of one member over 1 MB (env PILOTDW_XLSX_MAX_RATIO,
    default 200). Sheet XML compresses 5–50×; a zip bomb, 1,000× and more."""
    return _env_int("PILOTDW_XLSX_MAX_RATIO", 200)


def csv_max_line_bytes() -> int:
    """Longest line of a csv/tsv (env PILOTDW_CSV_MAX_LINE_KB, default 1024 KB): a table row of the
    contract is well under 10 KB; a longer line is not a row."""
    return _env_int("PILOTDW_CSV_MAX_LINE_KB", 1024) * 1024


_RATIO_FROM_BYTES = 1 * MB  # tiny members (styles, [Content_Types].xml) compress at any ratio
_CHUNK = 1 * MB


def check_xlsx(path: Path, name: str) -> None:
    """Raise Rejected unless the workbook's zip is safe to hand to the xlsx reader."""
    cap, ratio_cap = xlsx_max_bytes(), xlsx_max_ratio()
    try:
        with zipfile.ZipFile(path) as zf:
            members = zf.infolist()
            declared = sum(m.file_size for m in members)
            if declared > cap:
                biggest = max(members, key=lambda m: m.file_size)
                raise Rejected(
                    f"{name}: the workbook would inflate to {declared / MB:,.0f} MB ({biggest.filename}: "
                    f"{biggest.file_size / MB:,.0f} MB), over the limit of {cap / MB:,.0f} MB (PILOTDW_XLSX_MAX_MB); "
                    "nothing was inflated. Split the workbook or send it as csv"
                )
            for m in members:
                if m.file_size > _RATIO_FROM_BYTES and m.file_size > ratio_cap * max(m.compress_size, 1):
                    raise Rejected(
                        f"{name}: {m.filename} would inflate {m.file_size / max(m.compress_size, 1):,.0f}× "
                        f"({m.compress_size:,} → {m.file_size:,} bytes), over the limit of {ratio_cap}× (a zip bomb, "
                        "not a spreadsheet); nothing was inflated"
                    )
            # The directory's sizes are claims: inflate each member once, in chunks, and count. Python
            # stops at the declared size and checks the CRC, so a member that lies is caught here.
            total = 0
            for m in members:
                with zf.open(m) as fh:
                    while chunk := fh.read(_CHUNK):
                        total += len(chunk)
                        if total > cap:
                            raise Rejected(f"{name}: the workbook inflates past {cap / MB:,.0f} MB (PILOTDW_XLSX_MAX_MB); reading stopped there")
    except zipfile.BadZipFile as exc:
        raise Rejected(f"{name}: not a readable xlsx workbook ({exc})") from None
    except (zipfile.LargeZipFile, NotImplementedError, EOFError, OSError) as exc:
        raise Rejected(f"{name}: not a readable xlsx workbook ({type(exc).__name__}: {exc})") from None


def line_starts(data: bytes) -> np.ndarray:
    """Byte offset where each physical line starts (\\n, \\r\\n or a lone \\r ends a line)."""
    buf = np.frombuffer(data, dtype=np.uint8)
    lf = buf == 10
    cr = buf == 13
    # a \r ends a line unless a \n follows it (then the \n does)
    lone_cr = cr.copy()
    lone_cr[:-1] &= ~lf[1:]
    ends = np.flatnonzero(lf | lone_cr)
    return np.concatenate(([0], ends + 1))


def line_of(data: bytes, offset: int) -> tuple[int, int]:
    """(line, byte column), both 1-based, of a byte offset."""
    starts = line_starts(data[: offset + 1])
    line = int(np.searchsorted(starts, offset, side="right"))
    return line, offset - int(starts[line - 1]) + 1


def check_line_lengths(data: bytes, name: str) -> None:
    """Raise Rejected naming the first line longer than csv_max_line_bytes()."""
    cap = csv_max_line_bytes()
    if len(data) <= cap:
        return
    starts = line_starts(data)
    bounds = np.append(starts, len(data) + 1)
    lengths = np.diff(bounds) - 1
    long = np.flatnonzero(lengths > cap)
    if len(long):
        first = int(long[0])
        raise Rejected(
            f"{name}: line {first + 1} is {int(lengths[first]):,} bytes long, over the limit of {cap:,} "
            f"(PILOTDW_CSV_MAX_LINE_KB); not a table row — {len(long)} such line(s)"
        )


def decode_error(data: bytes, errors: list[tuple[str, UnicodeDecodeError]]) -> Rejected:
    """A Rejected naming the line and column where decoding failed. Of the encodings tried, the one
    that decoded furthest is the file's likely encoding: its failure is the one to show."""
    label, exc = max(errors, key=lambda e: e[1].start)
    line, column = line_of(data, exc.start)
    start = line_starts(data[: exc.start + 1])[-1] if exc.start else 0
    chars = len(data[start: exc.start].decode(exc.encoding, errors="replace")) + 1
    bad = data[exc.start: exc.end].hex(" ")
    return Rejected(
        f"cannot decode the file as UTF-8, UTF-8 with BOM or GB18030: line {line}, column {chars} (byte {column} of the line) "
        f"holds bytes {bad} that are not valid {label} (read furthest as {label}); save it as UTF-8 or GB18030 text"
    )


def physical_lines(text: str) -> int:
    """Lines of a text as a csv reader counts them (a final line break ends the last line)."""
    if not text:
        return 0
    breaks = text.count("\n") + text.count("\r") - text.count("\r\n")
    return breaks + (0 if text.endswith(("\n", "\r")) else 1)


def spanning_record(text: str, sep: str, first_line: int) -> tuple[int, int] | None:
    """The first record whose quoted cell runs over a line break: (first line, last line), 1-based
    in the file; `first_line` is the line `text` starts at. None when every record is one line."""
    import csv
    import io

    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sep)
    previous = 0
    try:
        for _ in reader:
            if reader.line_num - previous > 1:
                return first_line + previous, first_line + reader.line_num - 1
            previous = reader.line_num
    except csv.Error:
        return first_line + previous, first_line + max(reader.line_num, previous + 1) - 1
    return None


def unbalanced_quote(text: str, sep: str, first_line: int, name: str, total_lines: int) -> Rejected:
    """The rejection of a file in which a quote swallowed line breaks."""
    found = spanning_record(text, sep, first_line)
    if found is None:  # the reader disagrees with the count of lines in a way it does not show
        return Rejected(f"{name}: the rows read do not match the file's {total_lines} lines; check its quotes (\")")
    start, end = found
    to_end = end >= total_lines
    return Rejected(
        f"{name}: line {start}: a quote (\") opens a cell that is not closed on that line; it runs over lines "
        f"{start}–{end} ({end - start + 1} lines{', to the end of the file' if to_end else ''}), which would become one row. "
        "Remove the stray quote or close it (a quote inside a cell is written \"\"); every other line was read but "
        "the file is not loaded"
    )
