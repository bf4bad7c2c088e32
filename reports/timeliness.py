"""Whether a locality's pilot list for a year came in by the deadline (metrics.md, gates: 31 March;
30 June for the programme's first year P0). A classification of the mart's list_submitted_on for
display; the matching warn check lives in expectations/.
"""
from __future__ import annotations

import datetime as dt

from settings import P0

ON_TIME, LATE, NO_DATE, NO_LIST = "on_time", "late", "no_date", "no_list"


def list_deadline(year: int, p0: int = P0) -> dt.date:
    return dt.date(year, 6, 30) if year == p0 else dt.date(year, 3, 31)


def list_status(row: dict, p0: int = P0) -> str:
    """One of on_time, late, no_date (a list without a submission date), no_list — for a row of
    marts.coverage_by_locality_year."""
    submitted = row.get("list_submitted_on")
    if submitted is None:
        # has_list: the mart's own flag where it has one (a list may hold no countable pilot)
        has_list = row["has_list"] if row.get("has_list") is not None else bool(row.get("batch_pilots"))
        return NO_DATE if has_list else NO_LIST
    if isinstance(submitted, dt.datetime):
        submitted = submitted.date()
    return ON_TIME if submitted <= list_deadline(row["year"], p0) else LATE
