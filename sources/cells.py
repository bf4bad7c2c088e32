"""Cell normalisation (data-contract.md, "Cell normalisation").

Every parser works on a whole pandas column of text at once and returns the parsed column together
with a column of problems (a sentence saying what was expected, or None), so that a million-row
filing file is normalised with vectorised string operations instead of a Python call per cell.
"""
from __future__ import annotations

import re
import unicodedata

import pandas as pd

# Cells that mean "not reported": NULL, never 0 (compared after NFKC, trimming and upper-casing).
NOT_REPORTED = frozenset({"", "无", "-", "—", "——", "--", "/", "N/A", "NA", "NULL"})

_SPACE_RUN = re.compile(r"\s+")
# Brackets of every width and shape, unified for matching enterprise names.
_OPENERS = "(（[［【〔{｛〈《"
_CLOSERS = ")）]］】〕}｝〉》"
_BRACKETS = str.maketrans({**{c: "(" for c in _OPENERS}, **{c: ")" for c in _CLOSERS}})

# Every character Python's \s matches (str.isspace), spelled out so that a regex engine without
# Python's Unicode rules (pyarrow's RE2, which pandas uses for str.contains) finds exactly the same.
_SPACE_CHARS = "[\t\n\x0b\x0c\r\x1c-\x1f \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]"
_BRACKET_CHARS = "[" + "".join("\\" + c if c in "()[]{}" else c for c in _OPENERS + _CLOSERS) + "]"

EXCEL_EPOCH = pd.Timestamp("1899-12-30")
# Excel serials of plausible dates (1954-10-14 .. 2173-10-14): a five-digit number in a date column.
_SERIAL_MIN, _SERIAL_MAX = 20_000, 100_000
YEAR_MIN, YEAR_MAX = 1980, 2100


def _nfkc(s: pd.Series) -> pd.Series:
    """NFKC only where a cell has non-ASCII characters: ASCII is already NFKC, and most cells are."""
    s = s.astype("str") if s.dtype == object else s
    non_ascii = ~s.str.isascii().fillna(True).astype(bool)
    if non_ascii.any():
        s = s.copy()
        s[non_ascii] = s[non_ascii].str.normalize("NFKC")
    return s


def where_containing(s: pd.Series, chars: str, change) -> pd.Series:
    """`change` applied only to the cells containing one of `chars` (a regex character class): the
    others it would leave as they are. pandas runs Python regex replacements and translations cell
    by cell, while finding the few cells that need them runs vectorised."""
    has = s.str.contains(chars, regex=True).fillna(False).to_numpy(dtype=bool)
    if not has.any():
        return s
    if has.all():
        return change(s)
    out = s.copy()
    out[has] = change(s[has]).to_numpy()
    return out


def _collapse_spaces(s: pd.Series, by: str) -> pd.Series:
    return where_containing(s, _SPACE_CHARS, lambda part: part.str.replace(_SPACE_RUN, by, regex=True))


def clean_text(s: pd.Series) -> pd.Series:
    """NFKC, trimmed, internal whitespace runs collapsed to one space; blank → NULL."""
    out = _collapse_spaces(_nfkc(s).str.strip(), " ")
    return out.where(out.str.len() > 0)


def display_name(s: pd.Series) -> pd.Series:
    """An enterprise's displayed name: trimmed and whitespace-collapsed but otherwise as written, so
    full-width brackets such as （集团） stay as the locality typed them (data-contract.md: 'the
    displayed name keeps the original')."""
    out = _collapse_spaces(s.str.strip(), " ")
    return out.where(out.str.len() > 0)


def name_key(s: pd.Series) -> pd.Series:
    """The key enterprise names are matched on: NFKC, all whitespace dropped, brackets unified."""
    out = _collapse_spaces(_nfkc(s), "")
    out = where_containing(out, _BRACKET_CHARS, lambda part: part.str.translate(_BRACKETS))
    return out.where(out.str.len() > 0)


def is_not_reported(s: pd.Series) -> pd.Series:
    """True where a cell is empty or one of the not-reported tokens."""
    return s.isna() | s.str.strip().str.upper().isin(NOT_REPORTED)


def _ok(index: pd.Index) -> pd.Series:
    return pd.Series(None, index=index, dtype="object")


def parse_number(s: pd.Series, *, ratio: bool = False) -> tuple[pd.Series, pd.Series]:
    """Numbers such as `1,234`, `1 234`, full-width digits and, for ratio columns, `12.5%` (→ 0.125).
    Not-reported tokens → NULL. Returns (float values, problems)."""
    text = _nfkc(s).str.strip()
    # Most cells are plain numbers: a text to_numeric reads as it stands has no separators, spaces
    # or % to remove, so it reads the same below; only the rest need the full treatment.
    plain = pd.to_numeric(text, errors="coerce").astype("float64")
    rest = plain.isna().to_numpy() & text.notna().to_numpy()
    if not rest.any():
        return plain, _ok(s.index)
    if rest.all():
        return _parse_number_text(s, text, ratio)
    values, problems = _parse_number_text(s[rest], text[rest], ratio)
    plain[rest] = values.to_numpy()
    every = _ok(s.index)
    every[rest] = problems.to_numpy()
    return plain, every


def _parse_number_text(s: pd.Series, text: pd.Series, ratio: bool) -> tuple[pd.Series, pd.Series]:
    missing = is_not_reported(text)
    body = text.str.replace(r"[,\s]", "", regex=True)
    percent = body.str.endswith("%").fillna(False).astype(bool)
    if ratio:
        body = body.where(~percent, body.str[:-1])
    values = pd.to_numeric(body.where(~missing), errors="coerce").astype("float64")
    if ratio:
        values = values.where(~percent, values / 100)
    bad = ~missing & values.isna()
    problems = _ok(s.index)
    expected = "expected a number such as 1,234 or 12.5%" if ratio else "expected a number such as 1,234.5"
    problems[bad] = expected
    return values.where(~bad), problems


def parse_year(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Years written `2023`, `2023年` or `2023年度` (and 2023.0 from a spreadsheet)."""
    text = _nfkc(s).str.strip()
    missing = is_not_reported(text)
    digits = text.str.extract(r"^(\d{4})(?:\.0+)?\s*(?:年度|年)?$", expand=False)
    years = pd.to_numeric(digits, errors="coerce")
    in_range = years.between(YEAR_MIN, YEAR_MAX)
    bad = ~missing & ~in_range.fillna(False).astype(bool)
    problems = _ok(s.index)
    problems[bad] = f"expected a year such as 2023 or 2023年 ({YEAR_MIN}–{YEAR_MAX})"
    return years.where(in_range & ~missing).astype("Int64"), problems


_DATE_SHAPES = (
    # 2023-07-26, 2023/7/26, 2023.7.26 (a time of day, as a spreadsheet may add, is ignored)
    r"^(?P<y>\d{4})[-/.](?P<m>\d{1,2})[-/.](?P<d>\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$",
    # 2023年7月26日
    r"^(?P<y>\d{4})年(?P<m>\d{1,2})月(?P<d>\d{1,2})日$",
)


def parse_date(s: pd.Series) -> tuple[pd.Series, pd.Series]:
    """Dates in the five accepted shapes: 2023-07-26, 2023/7/26, 2023.7.26, 2023年7月26日 and Excel
    serial numbers. Impossible dates (2023-02-30) are problems, not guesses."""
    text = _nfkc(s).str.strip()
    missing = is_not_reported(text)
    parts = pd.DataFrame(index=s.index, columns=["y", "m", "d"], dtype="object")
    for shape in _DATE_SHAPES:
        found = text.str.extract(shape)
        parts = parts.fillna(found)
    stamp = pd.to_datetime(
        parts["y"] + "-" + parts["m"].str.zfill(2) + "-" + parts["d"].str.zfill(2), format="%Y-%m-%d", errors="coerce"
    )
    serial = pd.to_numeric(text.str.extract(r"^(\d{5})(?:\.0+)?$", expand=False), errors="coerce")
    serial = serial.where(serial.between(_SERIAL_MIN, _SERIAL_MAX))
    from_serial = EXCEL_EPOCH + pd.to_timedelta(serial, unit="D")
    stamp = stamp.fillna(from_serial)
    bad = ~missing & stamp.isna()
    problems = _ok(s.index)
    problems[bad] = "expected a date such as 2023-07-26, 2023/7/26, 2023.7.26, 2023年7月26日 or an Excel date"
    return stamp.dt.date.where(~stamp.isna() & ~missing), problems


_CN_DIGITS = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10, "首": 1}


def small_ordinal(text: str) -> int | None:
    """1, `第一批`, `首批`, `第2批`, `三级`, `五` → the number; None when it is not one."""
    t = unicodedata.normalize("NFKC", text).strip()
    t = re.sub(r"^第|[批级次]$", "", t)
    if t.isdigit():
        return int(t)
    if re.fullmatch(r"\d+\.0+", t):
        return int(float(t))
    if t in _CN_DIGITS:
        return _CN_DIGITS[t]
    if len(t) == 2 and t[0] == "十" and t[1] in _CN_DIGITS:
        return 10 + _CN_DIGITS[t[1]]
    return None


def map_unique(s: pd.Series, func) -> pd.Series:
    """Apply a per-value function once per distinct value (codes, grades and kinds repeat a lot)."""
    uniques = s.dropna().unique()
    mapping = {u: func(u) for u in uniques}
    return s.map(mapping)


def first_problem(problems: dict[str, pd.Series], index: pd.Index) -> tuple[pd.Series, pd.Series]:
    """For each row, the first column (in contract order) with a problem and the problem itself;
    further problems of the same row are appended so the message is complete."""
    column = pd.Series(None, index=index, dtype="object")
    reason = pd.Series(None, index=index, dtype="object")
    for name, prob in problems.items():
        has = prob.notna()
        if not has.any():
            continue
        first = has & column.isna()
        column[first] = name
        reason[first] = prob[first]
        more = has & ~first
        reason[more] = reason[more] + f"; also column {name}: " + prob[more]
    return column, reason
