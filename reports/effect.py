"""The pilot-effect section (试点效果): what the reports show of marts.pilot_effect — for each outcome
the national estimate read as a sentence, its event-study chart and the parallel-trends warning
where the gate raised it; each locality's overall estimate or why it has none.

Every figure is a mart value. The only things worked out here are words: whether an estimate is
above or below zero (多/少), whether its interval contains zero, and which of the sample-size
reasons explains an `insufficient_data` row — read from the row's own n_treated / n_comparison.
"""
from __future__ import annotations

import json

from pilotdw.settings import NATIONAL_CODE

from pilotdw.reports import charts
from pilotdw.reports.formatting import is_missing, kinds
from pilotdw.reports.labels import indicator, indicator_unit, text, unit
from pilotdw.reports.warehouse import Warehouse

EFFECT = "marts.pilot_effect"
ESTIMATED = "estimated"
INSUFFICIENT = "insufficient_data"
# The gate of metrics.md's warning (expectations/thresholds.yml): parallel trends doubtful for an
# outcome, its national pre_trend_p below the threshold. Its failing rows name the outcomes.
PRE_TREND_CHECK = "pilot_effect_pre_trend"

# (mart column, display kind): the columns of the per-outcome tables and the workbook sheet; the
# kinds are the catalogue's `display` (outcome_name, unit and the status words are the report's own)
EFFECT_COLUMNS = kinds(EFFECT, "att", "ci_low", "ci_high", "se", "p_value", "baseline_mean", "n_treated", "n_comparison")
EFFECT_SHEET_COLUMNS = [
    *kinds(EFFECT, "scope_code"), ("locality_name", "text"), *kinds(EFFECT, "outcome"), ("outcome_name", "text"),
    ("unit", "text"), *kinds(EFFECT, "aggregation", "event_time", "cohort_year", "year"),
    *EFFECT_COLUMNS, *kinds(EFFECT, "pre_trend_p", "excluded_pilots"), ("effect_status", "text"),
    ("effect_reason", "text"),
]


def key(row: dict) -> str:
    """data-key of a marts.pilot_effect row: its scope, outcome and aggregation, plus the
    aggregation's own axis (event time; cohort; cohort and year)."""
    parts = [f"scope_code={row['scope_code']}", f"outcome={row['outcome']}", f"aggregation={row['aggregation']}"]
    for col in ("event_time", "cohort_year", "year"):
        if not is_missing(row.get(col)):
            parts.append(f"{col}={row[col]}")
    return ";".join(parts)


def min_sample() -> int | None:
    """The estimation's minimum number of treated and of comparison enterprises in a post cell."""
    try:
        from pilotdw.evaluation.effect import MIN_ENTERPRISES
    except ImportError:  # a reports-only install: the reasons then show the counts without the rule
        return None
    return int(MIN_ENTERPRISES)


def direction(row: dict) -> str | None:
    """'more', 'less' or 'same' as the estimate is above, below or at zero (None without one)."""
    att = row.get("att")
    if is_missing(att):
        return None
    return "more" if att > 0 else "less" if att < 0 else "same"


def covers_zero(row: dict) -> bool | None:
    """Whether the 95 % interval contains zero: the difference is then not distinguishable from it."""
    lo, hi = row.get("ci_low"), row.get("ci_high")
    if is_missing(lo) or is_missing(hi):
        return None
    return lo <= 0 <= hi


def insufficient_reason(row: dict, minimum: int | None) -> tuple[str, dict]:
    """Why an `insufficient_data` row has no estimate, as a label key and its fields, from the
    row's own counts: no pilot, no comparison, too few on either side, or no single post-period
    year with enough on both sides (the counts are distinct enterprises over all years)."""
    treated, comparison = row.get("n_treated") or 0, row.get("n_comparison") or 0
    if not treated:
        return "effect_reason_no_treated", {}
    if not comparison:
        return "effect_reason_no_comparison", {"treated": treated}
    if minimum is not None:
        few_t, few_c = treated < minimum, comparison < minimum
        if few_t and few_c:
            return "effect_reason_few_both", {"treated": treated, "comparison": comparison, "min": minimum}
        if few_t:
            return "effect_reason_few_treated", {"treated": treated, "min": minimum}
        if few_c:
            return "effect_reason_few_comparison", {"comparison": comparison, "min": minimum}
        return "effect_reason_no_cell", {"treated": treated, "comparison": comparison, "min": minimum}
    return "effect_reason_counts", {"treated": treated, "comparison": comparison}


def pre_trend_warnings(checks: list[dict]) -> dict[str, dict]:
    """Outcome → the failed parallel-trends check that names it: the outcomes in the failing rows
    the gate recorded (failing_sample), national scope only."""
    found: dict[str, dict] = {}
    for check in checks:
        if check.get("check") != PRE_TREND_CHECK or check.get("passed"):
            continue
        sample = check.get("failing_sample")
        rows = json.loads(sample) if isinstance(sample, str) else (sample or [])
        for r in rows:
            if r.get("outcome") and r.get("scope_code", NATIONAL_CODE) == NATIONAL_CODE:
                found[r["outcome"]] = check
    return found


def _outcomes(wh: Warehouse, lang: str) -> list[dict]:
    out = []
    for o in wh.effect_outcomes(lang):
        name = o.get("outcome")
        label = o.get("label") or _indicator_or(name, lang, indicator)
        shown_unit = unit(o["unit"], lang) if o.get("unit") else (_indicator_or(name, lang, indicator_unit) or "")
        out.append({
            "outcome": name,
            "label": label,
            # inside an English sentence a name is lower case, unless it starts with an acronym (R&D)
            "in_sentence": label[0].lower() + label[1:] if lang == "en" and label[1:2].islower() else label,
            "unit": shown_unit,
            "unit_after": f" {shown_unit}" if shown_unit else "",
        })
    return out


def _indicator_or(name: str, lang: str, lookup) -> str | None:
    try:
        return lookup(name, lang)
    except KeyError:
        return name if lookup is indicator else None


def _reasoned(row: dict | None, minimum: int | None) -> dict | None:
    if row is None:
        return None
    if row.get("status") == ESTIMATED:
        return {**row, "key": key(row), "direction": direction(row), "covers_zero": covers_zero(row)}
    reason, fields = insufficient_reason(row, minimum)
    return {**row, "key": key(row), "reason": reason, "reason_fields": fields}


def section(wh: Warehouse, lang: str, checks: list[dict], scope_code: str = NATIONAL_CODE) -> dict:
    """The section of one scope (the nation or a locality): per outcome its overall row (with words),
    its event-study chart and, nationally, the parallel-trends warning."""
    if not wh.has_table("marts", "pilot_effect"):
        return {"present": False}
    minimum = min_sample()
    overall = {r["outcome"]: r for r in wh.pilot_effect("overall", scope_code)}
    events: dict[str, list[dict]] = {}
    for r in wh.pilot_effect("event", scope_code):
        events.setdefault(r["outcome"], []).append(r)
    warned = pre_trend_warnings(checks) if scope_code == NATIONAL_CODE else {}
    outcomes = []
    for o in _outcomes(wh, lang):
        name = o["outcome"]
        rows = [{**r, "key": key(r)} for r in sorted(events.get(name, []), key=lambda r: r["event_time"])]
        outcomes.append({
            **o,
            "overall": _reasoned(overall.get(name), minimum),
            "events": rows,
            "chart": charts.event_study(rows),
            "warning": warned.get(name),
        })
    return {"present": True, "outcomes": outcomes, "min": minimum, "merged": _same_reason([o["overall"] for o in outcomes])}


def _same_reason(cells: list[dict | None]) -> dict | None:
    """One of `cells` when every one is insufficient for the same reason and counts (so a page can
    say it once), else None."""
    alike = {(c["reason"], c.get("n_treated"), c.get("n_comparison")) if c and c.get("reason") else None for c in cells}
    return cells[0] if cells and len(alike) == 1 and None not in alike else None


def locality_table(wh: Warehouse, lang: str, outcomes: list[dict]) -> list[dict]:
    """One row per locality: its `overall` row of each outcome (estimate, or why none). Localities
    with an estimate come first. When every outcome of a locality is insufficient for the same
    counts, `merged` holds one of them, so the page says the reason once across the row."""
    minimum = min_sample()
    by_scope: dict[str, dict[str, dict]] = {}
    for r in wh.pilot_effect("overall"):
        by_scope.setdefault(r["scope_code"], {})[r["outcome"]] = r
    rows = []
    for loc in wh.localities(lang):
        cells = [_reasoned(by_scope.get(loc["locality_code"], {}).get(o["outcome"]), minimum) for o in outcomes]
        rows.append({**loc, "cells": cells, "merged": _same_reason(cells),
                     "estimated": any(c and c.get("status") == ESTIMATED for c in cells)})
    return sorted(rows, key=lambda r: not r["estimated"])  # stable: by code within each group


def sheet_rows(wh: Warehouse, lang: str, outcomes: list[dict]) -> list[dict]:
    """Every row of marts.pilot_effect (all aggregations) for the workbook, with the scope's and the
    outcome's names, the status in words and, for `insufficient_data`, the reason."""
    names = {loc["locality_code"]: loc["locality_name"] for loc in wh.localities(lang)}
    meta = {o["outcome"]: o for o in outcomes}
    minimum = min_sample()
    rows = []
    for aggregation in ("overall", "event", "cohort", "cell"):  # the spec's order: the headline first
        for r in wh.pilot_effect(aggregation):
            o = meta.get(r["outcome"], {})
            why = None
            if r.get("status") == INSUFFICIENT:
                reason, _ = insufficient_reason(r, minimum)
                why = text(reason, lang, treated=r.get("n_treated"), comparison=r.get("n_comparison"), min=minimum)
            rows.append({
                **r,
                "locality_name": text("national", lang) if r["scope_code"] == NATIONAL_CODE else names.get(r["scope_code"]),
                "outcome_name": o.get("label", r["outcome"]),
                "unit": o.get("unit", ""),
                "aggregation": text(f"agg_{aggregation}", lang),
                "effect_status": text(f"effect_status_{r['status']}", lang) if r.get("status") else None,
                "effect_reason": why,
            })
    return rows
