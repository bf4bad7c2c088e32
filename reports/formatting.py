"""How a mart value is written for a reader: percent with one decimal, counts with thousands
separators, scores with one decimal, estimates of the pilot's effect with two, p-values with three,
ISO dates. Pure formatting: no arithmetic on the figures beyond the ×100 of showing a fraction as a
percent (and the sign of an estimate, which a sentence says in words: 多/少).

`data_value` is the machine-readable twin put in `data-value` attributes, so tests (and anyone
scraping the HTML) can compare a shown figure with the mart value it came from.
"""
from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

from pilotdw import catalogue

NONE = "—"

# Kinds of figure, each with its display form and its Excel number format. A column's kind is its
# `display` in the catalogue (catalogue/columns.yml); `kinds()` reads it.
KINDS = ("count", "pct", "score", "index", "ratio", "date", "datetime", "bool", "text", "year", "rank", "integer",
         "signed", "estimate", "p", "number")

EXCEL_FORMATS = {
    "count": "#,##0",
    "pct": "0.0%",
    "score": "0.0",
    "signed": "+0.0;-0.0;0.0",
    "index": "0.0",
    "ratio": "0.00",
    "estimate": "#,##0.00",
    "p": "0.000",
    "year": "0",
    "rank": "0",
    "integer": "0",
    "date": "yyyy-mm-dd",
    "datetime": "yyyy-mm-dd hh:mm",
}


def kind(table: str, column: str) -> str:
    """How a column of a catalogued table is shown: its catalogue `display` (text when it has none)."""
    found = catalogue.table(table).column(column).display or "text"
    if found not in KINDS:
        raise ValueError(f"{table}.{column}: display {found!r} is not one of {KINDS}")
    return found


def kinds(table: str, *columns: str) -> list[tuple[str, str]]:
    """(column, kind) pairs for columns of a catalogued table, the kinds from the catalogue."""
    return [(c, kind(table, c)) for c in columns]


def is_missing(value: object) -> bool:
    """NULL, NaN or ±inf: no figure to show (a dash on the page, an empty cell in Excel, no mark on a chart)."""
    return value is None or (isinstance(value, float) and not math.isfinite(value))


def fmt(value: object, kind: str, lang: str = "zh") -> str:
    """`value` as shown in the reports."""
    if is_missing(value):
        return NONE
    if kind == "count":
        return f"{int(round(float(value))):,}" if float(value).is_integer() else f"{float(value):,.1f}"
    if kind == "pct":
        return f"{float(value) * 100:.1f}%"
    if kind in ("score", "index"):
        return f"{float(value):.1f}"
    if kind == "signed":
        return f"{float(value):+.1f}"
    if kind == "ratio":
        return f"{float(value):.2f}"
    if kind == "estimate":  # a causal estimate or its interval, in the outcome's unit (件, 万元)
        return f"{float(value):,.2f}"
    if kind == "p":
        return f"{float(value):.3f}"
    if kind in ("year", "rank", "integer"):
        return str(int(value))
    if kind == "date":
        return value.isoformat() if isinstance(value, (dt.date, dt.datetime)) else str(value)
    if kind == "datetime":
        if isinstance(value, dt.datetime):
            return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if value.tzinfo and value.utcoffset() == dt.timedelta(0) else "")
        return str(value)
    if kind == "bool":
        from pilotdw.reports.labels import text

        return text("yes" if value else "no", lang)
    return str(value)


def data_value(value: object) -> str:
    """The exact value, as text, for a `data-value` attribute ('' for NULL)."""
    if is_missing(value):
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (dt.date, dt.datetime)):
        return value.isoformat()
    return str(value)
