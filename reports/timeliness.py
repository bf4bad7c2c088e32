"""The display label of a locality-year's list submission. The deadline and the on-time verdict
are the mart's (marts.coverage_by_locality_year.list_deadline and list_on_time, defined once in dbt:
macro list_deadline); this module only turns them into one of four labels for the pages.
"""
from __future__ import annotations

ON_TIME, LATE, NO_DATE, NO_LIST = "on_time", "late", "no_date", "no_list"


def list_status(row: dict) -> str:
    """One of on_time, late, no_date, no_list for a row of marts.coverage_by_locality_year:
    no_list when list_on_time is NULL (no list), late when it is FALSE; when TRUE, no_date if no
    list gives a submission date (the mart counts an undated list as on time), else on_time."""
    on_time = row["list_on_time"]
    if on_time is None:
        return NO_LIST
    if not on_time:
        return LATE
    return NO_DATE if row.get("list_submitted_on") is None else ON_TIME
