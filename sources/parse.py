"""From a table of text cells to raw rows and quarantined rows, one source at a time.

Each column is parsed by its kind (sources.contract). A row whose key field is invalid is
quarantined with the first failing column and what was expected; the rest of the file loads.
"""
from __future__ import annotations

import functools
import json
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdw import catalogue
from pilotdw.sources import cells
from pilotdw.sources.contract import SOURCE_COLUMNS, Column
from pilotdw.sources.geography import division_locality, explicit_disagrees, locality_code
from pilotdw.sources.readers import Table
from pilotdw.sources.uscc import uscc_problems

# The coded vocabularies are the catalogue's (stated once there); the Chinese words below are how
# landed files write them, zipped in the catalogue's order.
QUALIFICATIONS = catalogue.codes("qualification")  # ip_demonstration, ip_advantage, little_giant
ASSESSMENT_KINDS = catalogue.codes("assessment_kind")  # initial, annual, graded
GRADE_LEVELS = {t.label_zh: int(t.code) for t in catalogue.vocabulary("grade")}  # 初始级 1 … 生态级 5
_CATEGORY_SEPARATORS = re.compile(r"[、,;]")  # after NFKC: 、 , ， ; ；


@dataclass
class Parsed:
    rows: pd.DataFrame  # contract columns of accepted rows, index = row number
    quarantine: pd.DataFrame  # row_number, column, value, reason, raw_row
    rows_read: int


def _code_of(text: str, codes: tuple[str, ...], words: tuple[str, ...]) -> str | None:
    """A vocabulary code written as the code itself (any case) or as Chinese text containing exactly
    one of `words` (the word of each code, in the codes' order)."""
    t = text.strip()
    if t.casefold() in codes:
        return t.casefold()
    found = [code for code, word in zip(codes, words, strict=True) if word in t]
    return found[0] if len(found) == 1 else None


def qualification_of(text: str) -> str | None:
    """`ip_demonstration`…, or Chinese text containing 示范 / 优势 / 小巨人 (exactly one of them)."""
    return _code_of(text, QUALIFICATIONS, ("示范", "优势", "小巨人"))


def assessment_kind_of(text: str) -> str | None:
    """`initial`…, or Chinese text containing 初始 / 年度 / 分级 (exactly one of them)."""
    return _code_of(text, ASSESSMENT_KINDS, ("初始", "年度", "分级"))


def grade_of(text: str) -> int | None:
    """1–5, 一级…五级, or a level name 初始级…生态级 (5 highest)."""
    t = text.strip()
    if t in GRADE_LEVELS:
        return GRADE_LEVELS[t]
    n = cells.small_ordinal(t)
    return n if n is not None and 1 <= n <= 5 else None


def _uscc_column(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    # Codes as they should be written (digits and capitals only) are already what the rule makes
    plain = text.str.fullmatch("[0-9A-Z]+").fillna(False).to_numpy(dtype=bool)
    if plain.all():
        value = text
    else:
        value = text.copy()
        rest = text[~plain]
        value[~plain] = cells._nfkc(rest).str.replace(r"\s+", "", regex=True).str.upper().to_numpy()
    value = value.where(value.str.len() > 0)
    return value, uscc_problems(value)


def _coded(text: pd.Series, func, expected: str) -> tuple[pd.Series, pd.Series]:
    clean = cells.clean_text(text)
    value = cells.map_unique(clean, func)
    problems = pd.Series(None, index=text.index, dtype="object")
    problems[clean.notna() & ~cells.is_not_reported(clean) & value.isna()] = expected
    return value, problems


def _score(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    value, problems = cells.parse_number(text)
    out = value.notna() & ~value.between(0, 100)
    problems[out] = "expected a score from 0 to 100"
    return value.where(~out), problems


def _indicator(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    value, problems = cells.parse_number(text)
    negative = value.notna() & (value < 0)
    problems[negative] = "expected a number ≥ 0 (indicators cannot be negative)"
    return value.where(~negative), problems


def _category(text: pd.Series) -> tuple[pd.Series, pd.Series]:
    clean = cells.clean_text(text)

    def split(value: str) -> list[str]:
        return [part.strip() for part in _CATEGORY_SEPARATORS.split(value) if part.strip()]

    return cells.map_unique(clean, split), pd.Series(None, index=text.index, dtype="object")


def parse_column(col: Column, text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """(value, problem, extra) for one column by its kind; `extra` is the name key for names.

    Every kind is parsed cell by cell (a cell's value and problem depend on its text alone), so each
    distinct text is parsed once and the results are spread back over the rows: dates, years, codes
    and counts repeat thousands of times in a big file."""
    codes, distinct = pd.factorize(text, use_na_sentinel=True)
    if len(distinct) * 2 > len(text):  # mostly distinct (codes, names, amounts): parse as it is
        return _parse_cells(col, text)
    if len(distinct) == 0:  # a column the file does not have (or leaves empty): the same every time
        parsed = _empty_cell_parsed(col, str(text.dtype))
    else:  # the distinct texts and one empty cell (the NA sentinel -1 takes the last position)
        cells_once = pd.concat([pd.Series(distinct, dtype=text.dtype), pd.Series([None], dtype=text.dtype)], ignore_index=True)
        parsed = _parse_cells(col, cells_once)
    positions = np.where(codes < 0, len(distinct), codes)
    return tuple(None if part is None else part.take(positions).set_axis(text.index) for part in parsed)  # type: ignore[return-value]


@functools.lru_cache(maxsize=None)
def _empty_cell_parsed(col: Column, dtype: str) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    """How one empty cell of `col` parses (callers only take from it, never change it)."""
    return _parse_cells(col, pd.Series([None], dtype=dtype))


def _parse_cells(col: Column, text: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series | None]:
    kind = col.kind
    if kind == "uscc":
        return (*_uscc_column(text), None)
    if kind == "name":
        return cells.display_name(text), pd.Series(None, index=text.index, dtype="object"), cells.name_key(text)
    if kind == "text":
        return cells.clean_text(text), pd.Series(None, index=text.index, dtype="object"), None
    if kind == "year":
        return (*cells.parse_year(text), None)
    if kind == "date":
        return (*cells.parse_date(text), None)
    if kind == "score":
        return (*_score(text), None)
    if kind == "indicator":
        return (*_indicator(text), None)
    if kind == "seq":
        value, _ = cells.parse_number(text)  # a list's running number: informative only, never a reason to quarantine
        return value.where(value.notna() & (value % 1 == 0)).astype("Int64"), pd.Series(None, index=text.index, dtype="object"), None
    if kind == "category":
        return (*_category(text), None)
    if kind == "qualification":
        return (*_coded(text, qualification_of, "expected a qualification: ip_demonstration (示范), ip_advantage (优势) or little_giant (小巨人)"), None)
    if kind == "assessment_kind":
        return (*_coded(text, assessment_kind_of, "expected initial (初始测评), annual (年度测评) or graded (分级评价)"), None)
    if kind == "grade":
        value, problems = _coded(text, grade_of, "expected a grade 1–5, 一级…五级 or 初始级/过程级/项目级/系统级/生态级")
        return value.astype("Int64"), problems, None
    if kind == "locality":
        return (*_coded(text, locality_code, "expected one of the 37 locality codes (e.g. 310000) or names (e.g. 上海市)"), None)
    if kind == "batch":
        value, problems = _coded(text, cells.small_ordinal, "expected a batch number such as 1, 第一批 or 首批")
        return value.astype("Int64"), problems, None
    raise ValueError(f"unknown column kind {kind}")


def _raw_rows_json(table: Table, index: pd.Index) -> list[str]:
    frame = table.frame.loc[index]
    frame = frame.set_axis([table.header[p] if p < len(table.header) else f"column {p + 1}" for p in frame.columns], axis=1)
    return [json.dumps({k: v for k, v in rec.items() if v is not None and v == v}, ensure_ascii=False) for rec in frame.to_dict("records")]


def parse_table(source: str, table: Table, defaults: dict[str, object] | None = None) -> Parsed:
    """Parse every contract column of one table. `defaults` fill columns the table lacks or leaves
    blank (pilot lists: locality, year and batch from the file name)."""
    defaults = defaults or {}
    frame = table.frame
    index = frame.index
    values: dict[str, pd.Series] = {}
    problems: dict[str, pd.Series] = {}
    for name, col in SOURCE_COLUMNS[source].items():
        if name in table.columns:
            text = frame[table.columns[name]]
        else:
            text = pd.Series(None, index=index, dtype="str")
        value, problem, key = parse_column(col, text)
        if name in defaults and defaults[name] is not None:
            value = value.where(value.notna(), defaults[name]) if len(value) else value
        missing = value.isna() & problem.isna()
        if col.required or name in ("locality_code", "year", "batch") and source == "pilots":
            what = "a USCC" if col.kind == "uscc" else "a value"
            hint = " (no cell, and the file name gives none)" if source == "pilots" and not col.required else ""
            problem = problem.copy()
            problem[missing] = f"expected {what}, found an empty cell{hint}"
        values[name] = value
        problems[name] = problem
        if key is not None:
            values["name_key"] = key

    if source == "registers":
        _resolve_register_locality(values, problems)

    column, reason = cells.first_problem(problems, index)
    bad = column.notna()
    quarantine = pd.DataFrame({"row_number": index[bad.to_numpy()], "column": column[bad], "reason": reason[bad]})
    quarantine["value"] = [
        frame.at[r, table.columns[c]] if c in table.columns else None for r, c in zip(quarantine["row_number"], quarantine["column"])
    ]
    quarantine["raw_row"] = _raw_rows_json(table, quarantine["row_number"]) if bad.any() else []
    quarantine["locality_code"] = _row_locality(values, problems)[bad].to_numpy()
    rows = pd.DataFrame(values, index=index)[~bad.to_numpy()]
    if table.extras:
        extra = frame.loc[rows.index, list(table.extras.values())].set_axis(list(table.extras), axis=1)
        rows["extra"] = [json.dumps({k: v for k, v in rec.items() if v is not None and v == v}, ensure_ascii=False) for rec in extra.to_dict("records")]
    else:
        rows["extra"] = None
    rows["row_number"] = rows.index.to_numpy(dtype=np.int64)
    return Parsed(rows.reset_index(drop=True), quarantine.reset_index(drop=True), len(frame))


def _row_locality(values: dict[str, pd.Series], problems: dict[str, pd.Series]) -> pd.Series:
    """The locality a row belongs to as far as it can be told (its valid locality cell, else its
    valid USCC's), so quarantined rows can be counted per locality; NULL when neither is valid."""
    given = values["locality_code"].where(problems["locality_code"].isna()) if "locality_code" in values else None
    derived = derived_localities(values["uscc"].where(problems["uscc"].isna())) if "uscc" in values else None
    if given is None:
        return derived.astype("object")
    return given.where(given.notna(), derived).astype("object") if derived is not None else given.astype("object")


def derived_localities(uscc: pd.Series) -> pd.Series:
    """geography.division_locality of every valid USCC of a column (NULL where none), computed once per division code."""
    return cells.map_unique(uscc.str.slice(2, 8), division_locality)


def _resolve_register_locality(values: dict[str, pd.Series], problems: dict[str, pd.Series]) -> None:
    """Explicit locality wins over the USCC's, and is flagged when they disagree."""
    uscc = values["uscc"].where(problems["uscc"].isna())
    derived = derived_localities(uscc)
    explicit = values["locality_code"]
    values["locality_code_derived"] = derived
    values["locality_code"] = explicit.where(explicit.notna(), derived)
    pairs = pd.DataFrame({"e": explicit, "d": derived})
    flag = [bool(e == e and e is not None and explicit_disagrees(e, d if d == d else None)) for e, d in zip(pairs["e"], pairs["d"])]
    values["locality_flag"] = pd.Series(flag, index=uscc.index, dtype="bool")
    unknown = values["locality_code"].isna() & uscc.notna() & problems["locality_code"].isna()
    if unknown.any():
        problem = problems["locality_code"].copy()
        problem[unknown] = (
            "expected a locality: the USCC's division code " + uscc[unknown].str[2:8]
            + " is not one of the 37 localities and no locality_code (地区代码) is given"
        )
        problems["locality_code"] = problem
