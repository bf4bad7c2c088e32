"""The section 试点效果 of the report the demo pipeline publishes (`pilotdw demo-data` then
`pilotdw run`, shared with tests/e2e): its figures, chart points and warnings equal the published
warehouse's marts.pilot_effect and audit.check_results — the real mart, estimated by the pipeline."""
from __future__ import annotations

import json

import duckdb
import pytest

from pilotdw.reports.effect import PRE_TREND_CHECK
from reports_html import data_value_matches, parse, shown_matches
from tests.e2e.conftest import demo_run  # noqa: F401 (the shared demo run fixture)

pytestmark = pytest.mark.slow


def _latest(run) -> tuple:
    reports = run.home / "reports"
    year = sorted(p.name for p in reports.iterdir() if p.is_dir())[-1]
    return reports / year, int(year)


def _value(con, key: str, column: str):
    conditions = dict(part.split("=", 1) for part in key.split(";"))
    names = ("scope_code", "outcome", "aggregation", "event_time", "cohort_year", "year")
    where = " AND ".join(f"{c} = ?" if c in conditions else f"{c} IS NULL" for c in names)
    rows = con.execute(f'SELECT "{column}" FROM marts.pilot_effect WHERE {where}',
                       [conditions[c] for c in names if c in conditions]).fetchall()
    assert len(rows) == 1, (key, rows)
    return rows[0][0]


@pytest.mark.parametrize("page", ["national.html", "localities/110000.html", "localities/310000.html"])
def test_published_section_shows_the_pipelines_mart(demo_run, page):  # noqa: F811
    assert demo_run.returncode == 0, demo_run.stdout[-3000:] + demo_run.stderr[-3000:]
    folder, _ = _latest(demo_run)
    doc = parse(folder / page)
    figures = [f for f in doc.figures if f["attrs"]["data-table"] == "marts.pilot_effect"]
    points = [e for e in doc.elements if e["attrs"].get("data-kind") == "event-study"]
    with duckdb.connect(str(demo_run.warehouse), read_only=True) as con:
        scope = "000000" if page == "national.html" else page.split("/")[1][:6]
        overall = con.execute("SELECT outcome, status FROM marts.pilot_effect WHERE scope_code = ? AND aggregation = "
                              "'overall'", [scope]).fetchall()
        (outcomes,) = con.execute("SELECT count(*) FROM seeds.effect_outcomes").fetchone()
        assert len(overall) == outcomes >= 4
        for fig in figures:
            a = fig["attrs"]
            value = _value(con, a["data-key"], a["data-col"])
            assert data_value_matches(a["data-value"], value), (a, value)
            shown = abs(value) if a.get("data-shown") == "abs" and value is not None else value
            assert shown_matches(fig["text"], shown, a["data-col"]), (fig["text"], value)
        for p in points:
            a = p["attrs"]
            for col in ("att", "ci_low", "ci_high"):
                assert data_value_matches(a[f"data-{col.replace('_', '-')}"], _value(con, a["data-key"], col))
        events = con.execute("SELECT count(*) FROM marts.pilot_effect WHERE scope_code = ? AND aggregation = 'event' "
                             "AND att IS NOT NULL", [scope]).fetchone()[0]
    assert len(points) == events
    estimated = [o for o, s in overall if s == "estimated"]
    if page == "national.html":
        # `make demo` shows real estimates: the demo has enough comparable enterprises nationally
        assert estimated and points
        assert {f["attrs"]["data-col"] for f in figures} >= {"att", "ci_low", "ci_high", "n_treated", "n_comparison"}
    keys = {(f["attrs"]["data-key"].split(";")[1], f["attrs"]["data-col"]) for f in figures
            if f["attrs"]["data-key"].endswith("aggregation=overall")}
    for outcome in estimated:
        assert (f"outcome={outcome}", "att") in keys, outcome


def test_published_warnings_follow_the_gate(demo_run):  # noqa: F811
    folder, _ = _latest(demo_run)
    doc = parse(folder / "national.html")
    shown = {e["attrs"]["data-outcome"] for e in doc.elements if e["tag"] == "div"
             and "effect-outcome" in e["attrs"].get("class", "") and "注意：试点前各期的差异不全为零" in e["text"]}
    with duckdb.connect(str(demo_run.warehouse), read_only=True) as con:
        rows = con.execute("SELECT c.passed, c.failing_sample FROM audit.check_results c JOIN audit.builds b USING (run_id) "
                           "WHERE c.\"check\" = ? AND b.published_at IS NOT NULL", [PRE_TREND_CHECK]).fetchall()
        low = {o for (o,) in con.execute("SELECT outcome FROM marts.pilot_effect WHERE scope_code = '000000' AND "
                                          "aggregation = 'overall' AND pre_trend_p < 0.05").fetchall()}
    assert len(rows) == 1, "the published build ran the parallel-trends gate once"
    passed, sample = rows[0]
    flagged = set() if passed else {r["outcome"] for r in json.loads(sample)}
    assert shown == flagged == low
