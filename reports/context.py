"""What each report shows, gathered from the warehouse into template contexts: which mart columns
go in which table (and how each is formatted), the charts' geometry, the data-quality summary and
the changes since the previous build. Mart values only, selected, sorted and filtered.
"""
from __future__ import annotations

from pilotdw.settings import P0

from pilotdw.reports import charts, effect
from pilotdw.reports.formatting import kinds
from pilotdw.reports.formula import effectiveness_formula
from pilotdw.reports.labels import column, text
from pilotdw.reports.timeliness import NO_DATE, NO_LIST, LATE, ON_TIME, list_status
from pilotdw.reports.warehouse import Warehouse

NS = "marts.national_summary"
COV = "marts.coverage_by_locality_year"
EFF = "marts.regional_effectiveness"
PAR = "marts.participation_by_locality_year"
IMP = "marts.enterprise_improvement"

# (mart column, display kind) — shared by the HTML tables and the workbook; the kinds are the
# catalogue's `display` of each column (formatting.kinds).
KEY_FIGURES = kinds(
    NS, "cumulative_coverage", "localities_on_track", "localities_meeting_batch_target", "localities_with_lists",
    "eligible_base", "batch_pilots", "cumulative_eligible_pilots", "filing_rate", "mean_score_delta", "share_improved",
)
COVERAGE_COLUMNS = kinds(
    COV, "eligible_base", "batch_pilots", "batch_eligible_pilots", "batch_ratio", "meets_batch_target",
    "cumulative_eligible_pilots", "cumulative_coverage", "on_track", "non_eligible_pilots", "unmatched_pilots",
    "repeat_pilots",
)
COVERAGE_SHEET_COLUMNS = COVERAGE_COLUMNS[:7] + kinds(COV, "target_coverage") + COVERAGE_COLUMNS[7:] + kinds(COV, "list_submitted_on")
PARTICIPATION_COLUMNS = kinds(
    PAR, "cumulative_pilots", "assessed_initial", "initial_assessment_rate", "filed", "filing_rate", "graded",
    "graded_rate",
)
EFFECTIVENESS_COLUMNS = kinds(
    EFF, "effectiveness_index", "pilots_with_delta", "mean_score_delta", "median_score_delta", "share_improved",
    "filing_rate", "cumulative_coverage", "hvp_per_pilot", "hvp_growth",
)
IMPROVEMENT_COLUMNS = kinds(IMP, "cohort_year", "baseline_score", "latest_score", "score_delta", "improved", "latest_grade")
FUNNEL_STEPS = [
    ("cumulative_pilots", "step_cumulative_pilots", None),
    ("assessed_initial", "step_assessed_initial", "initial_assessment_rate"),
    ("filed", "step_filed", "filing_rate"),
    ("graded", "step_graded", "graded_rate"),
]
CARD_CHANGE_FIGURES = [
    *((COV, c, k) for c, k in kinds(COV, "cumulative_coverage", "on_track", "eligible_base", "batch_pilots",
                                    "cumulative_eligible_pilots")),
    *((EFF, c, k) for c, k in kinds(EFF, "effectiveness_index", "rank")),
]
# action list groups: (label key, test on a marts.enterprise_status_by_year row)
ACTION_GROUPS = [
    ("act_not_piloted", lambda r: bool(r.get("eligible")) and not r.get("piloted")),
    ("act_not_assessed", lambda r: bool(r.get("piloted")) and not r.get("assessed_initial")),
    ("act_not_filed", lambda r: bool(r.get("piloted")) and not r.get("filed")),
]


def row_key(row: dict) -> str:
    """data-key of a locality-year mart row."""
    return f"locality_code={row['locality_code']};year={row['year']}"


def year_key(year: int) -> str:
    return f"year={year}"


def _timeliness(rows: list[dict]) -> tuple[list[dict], dict]:
    # list_deadline is the mart's own column (in r); only the label is worked out here
    out = [{**r, "list_status": list_status(r)} for r in rows]
    # the ones a reader must act on first: no list, late, undated, then on time; by code within
    order = {NO_LIST: 0, LATE: 1, NO_DATE: 2, ON_TIME: 3}
    out.sort(key=lambda r: (order[r["list_status"]], r["locality_code"]))
    counts = {s: sum(1 for r in out if r["list_status"] == s) for s in (ON_TIME, LATE, NO_DATE, NO_LIST)}
    return out, counts


def _grade_labels(lang: str) -> dict[int, str]:
    return {g: text(f"grade_{g}", lang) for g in range(1, 6)}


def _distribution(improvement: list[dict], eff: dict | None, lang: str) -> tuple[dict | None, dict | None]:
    hist = charts.histogram(
        [r["score_delta"] for r in improvement],
        (eff or {}).get("mean_score_delta"),
        (eff or {}).get("median_score_delta"),
    )
    grades = charts.grade_bars([r["latest_grade"] for r in improvement], _grade_labels(lang))
    return hist, grades


def _funnel(row: dict | None, lang: str) -> dict | None:
    return charts.funnel(row, [(c, text(label, lang), rate) for c, label, rate in FUNNEL_STEPS])


def quality(wh: Warehouse, lang: str) -> dict:
    checks = wh.checks(wh.build())
    failed = [c for c in checks if not c.get("passed")]
    return {
        "checks": checks,
        "passed": sum(1 for c in checks if c.get("passed")),
        "blocks": [c for c in failed if c.get("severity") == "block"],
        "warnings": [c for c in failed if c.get("severity") != "block"],
        "by_locality": wh.quarantine_by_source_locality(lang),
        "by_file": wh.quarantine_by_file(),
        "rejected": wh.rejected_files(),
    }


def _national_changes(wh: Warehouse, prev: Warehouse | None, year: int, lang: str, summary: dict) -> dict:
    if prev is None:
        return {"state": "no_previous"}
    prev_summary = prev.national_summary(year) if prev.has_table("marts", "national_summary") else None
    if prev_summary is None:
        return {"state": "previous_no_year", "previous_build": prev.build()}
    figures = [
        {
            "label": text(f"kf_{c}", lang), "kind": k, "col": c, "table": NS, "key": year_key(year),
            "then": prev_summary.get(c), "now": summary.get(c), "changed": prev_summary.get(c) != summary.get(c),
        }
        for c, k in KEY_FIGURES
    ]
    comparable = prev.has_table("marts", "coverage_by_locality_year") and prev.has_table("marts", "dim_locality")
    then = {r["locality_code"]: r for r in prev.coverage(year, lang)} if comparable else {}
    on_track = [
        {
            "locality_name": r["locality_name"], "key": row_key(r), "then": then[r["locality_code"]].get("on_track"),
            "now": r.get("on_track"), "then_coverage": then[r["locality_code"]].get("cumulative_coverage"),
            "now_coverage": r.get("cumulative_coverage"),
        }
        for r in sorted(wh.coverage(year, lang), key=lambda r: r["locality_code"])
        if r["locality_code"] in then and then[r["locality_code"]].get("on_track") != r.get("on_track")
    ]
    return {"state": "compared", "previous_build": prev.build(), "figures": figures, "on_track": on_track}


def _card_changes(prev: Warehouse | None, year: int, lang: str, code: str, cov: dict | None, eff: dict | None) -> dict:
    if prev is None:
        return {"state": "no_previous"}
    has = lambda t: prev.has_table("marts", t) and prev.has_table("marts", "dim_locality")  # noqa: E731
    then = {
        COV: (prev.coverage(year, lang, code) or [None])[0] if has("coverage_by_locality_year") else None,
        EFF: (prev.effectiveness(year, lang, code) or [None])[0] if has("regional_effectiveness") else None,
    }
    if then[COV] is None:
        return {"state": "previous_no_year", "previous_build": prev.build()}
    now = {COV: cov or {}, EFF: eff or {}}
    figures = [
        {
            "label": _figure_label(c, lang),
            "kind": k, "col": c, "table": table, "key": f"locality_code={code};year={year}",
            "then": (then[table] or {}).get(c), "now": now[table].get(c),
            "changed": (then[table] or {}).get(c) != now[table].get(c),
        }
        for table, c, k in CARD_CHANGE_FIGURES
    ]
    return {"state": "compared", "previous_build": prev.build(), "figures": figures, "on_track": None}


_KF_KEYS = {f"kf_{c}" for c, _ in KEY_FIGURES} | {"kf_effectiveness_index", "kf_rank"}


def _figure_label(col: str, lang: str) -> str:
    """A key figure's label where the catalogue has one, else the column header."""
    return text(f"kf_{col}", lang) if f"kf_{col}" in _KF_KEYS else column(col, lang)


def common(wh: Warehouse, year: int, lang: str) -> dict:
    build = wh.build()
    return {
        "year": year,
        "p0": P0,
        "build": build,
        "formula": effectiveness_formula(lang),
        "coverage_columns": COVERAGE_COLUMNS,
        "participation_columns": PARTICIPATION_COLUMNS,
        "effectiveness_columns": EFFECTIVENESS_COLUMNS,
        "effect_columns": effect.EFFECT_COLUMNS,
        "national_eff": wh.national_effectiveness(year),
    }


def national(wh: Warehouse, prev: Warehouse | None, year: int, lang: str, base: dict) -> dict:
    summary = wh.national_summary(year)
    coverage = wh.coverage(year, lang)
    target = wh.target_coverage(year)
    timeliness, timeliness_counts = _timeliness(coverage)
    hist, grades = _distribution(wh.score_deltas_and_grades(year), base["national_eff"], lang)
    dq = quality(wh, lang)
    pilot_effect = effect.section(wh, lang, dq["checks"])
    return {
        **base,
        "title": text("national_title", lang, year=year),
        "summary": summary,
        "target": target,
        "coverage": coverage,
        # the chart legend's counts: marts.national_summary's (the mart splits the localities three ways)
        "coverage_counts": {
            "ok": (summary or {}).get("localities_on_track"),
            "behind": (summary or {}).get("localities_behind_schedule"),
            "nobase": (summary or {}).get("localities_without_eligible"),
        },
        "coverage_chart_data": charts.coverage_bars(coverage, target, lang, text("legend_no_base", lang)),
        "participation": wh.participation(year, lang),
        "funnel": _funnel(wh.national_participation(year), lang),
        "hist": hist,
        "grades": grades,
        "effectiveness": wh.effectiveness(year, lang),
        "timeliness": timeliness,
        "timeliness_counts": timeliness_counts,
        "dq": dq,
        "effect": pilot_effect,
        "effect_localities": effect.locality_table(wh, lang, pilot_effect["outcomes"]) if pilot_effect["present"] else [],
        "changes": _national_changes(wh, prev, year, lang, summary),
        "source_files": wh.source_files(base["build"]),
        "localities": sorted(coverage, key=lambda r: r["locality_code"]),
    }


def card(wh: Warehouse, prev: Warehouse | None, year: int, lang: str, base: dict, code: str,
         status_rows: list[dict] | None) -> dict:
    cov = (wh.coverage(year, lang, code) or [None])[0]
    part = (wh.participation(year, lang, code) or [None])[0]
    eff = (wh.effectiveness(year, lang, code) or [None])[0]
    ranked = wh.effectiveness(year, lang)
    hist, grades = _distribution(wh.score_deltas_and_grades(year, code), eff, lang)
    timeliness, _ = _timeliness([cov] if cov else [])
    name = cov["locality_name"] if cov else code
    actions = None
    if status_rows is not None:
        mine = [r for r in status_rows if r["locality_code"] == code]
        actions = [{"label": label, "rows": [r for r in mine if test(r)]} for label, test in ACTION_GROUPS]
    return {
        **base,
        "title": text("locality_title", lang, name=name, year=year),
        "code": code,
        "cov": cov,
        "part": part,
        "eff": eff,
        "ranked_count": sum(1 for r in ranked if r.get("rank") is not None),
        "trend": charts.coverage_trend(wh.coverage_history(code, year)),
        "funnel": _funnel(part, lang),
        "hist": hist,
        "grades": grades,
        "timeliness": timeliness,
        "actions": actions,
        "effect": effect.section(wh, lang, [], scope_code=code),
        "dq": {
            "checks": None,
            "by_locality": wh.quarantine_by_source_locality(lang, code),
            "by_file": wh.quarantine_by_file(code),
            "rejected": None,
        },
        "changes": _card_changes(prev, year, lang, code, cov, eff),
    }
