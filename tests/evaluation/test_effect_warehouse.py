"""marts.pilot_effect in a DuckDB build: written with the mart's types (NULL stays NULL), and judged
by the two gates of metrics.md through the gate machinery, recorded in audit.check_results."""
from __future__ import annotations

from datetime import date

import duckdb
import pandas as pd
import pytest

from pilotdw.evaluation.effect import COLUMNS, as_frame
from pilotdw.evaluation.warehouse import write_pilot_effect
from pilotdw.expectations.gates import run_checks

GATES = ["pilot_effect_pre_trend", "pilot_effect_interval_consistent"]


def row(**values) -> dict:
    base = {"scope_code": "000000", "outcome": "invention_applications", "aggregation": "overall", "status": "estimated",
            "att": 5.0, "se": 1.0, "ci_low": 3.0, "ci_high": 7.0, "p_value": 0.001, "baseline_mean": 20.0,
            "n_treated": 100, "n_comparison": 90, "pre_trend_p": 0.5, "excluded_pilots": 3}
    return {**base, **values}


def build(rows: list[dict]) -> duckdb.DuckDBPyConnection:
    con = duckdb.connect(":memory:")
    write_pilot_effect(con, as_frame(rows))
    return con


def test_the_mart_is_written_with_its_types_and_nulls():
    insufficient = row(scope_code="310000", status="insufficient_data", att=None, se=None, ci_low=None, ci_high=None,
                       p_value=None, baseline_mean=None, pre_trend_p=None, n_treated=4, n_comparison=0)
    cell = row(aggregation="cell", event_time=-1, cohort_year=2024, year=2023, pre_trend_p=None, excluded_pilots=None)
    con = build([row(), insufficient, cell])
    types = dict(con.execute("SELECT column_name, data_type FROM information_schema.columns "
                             "WHERE table_schema = 'marts' AND table_name = 'pilot_effect' ORDER BY ordinal_position").fetchall())
    assert types == COLUMNS
    got = con.execute("SELECT scope_code, att, n_comparison, pre_trend_p, event_time FROM marts.pilot_effect ORDER BY scope_code, aggregation").fetchall()
    assert got == [("000000", 5.0, 90, None, -1), ("000000", 5.0, 90, 0.5, None), ("310000", None, 0, None, None)]
    write_pilot_effect(con, as_frame([row()]))  # a rebuild replaces the table
    assert con.execute("SELECT count(*) FROM marts.pilot_effect").fetchone() == (1,)


def test_the_gates_warn_on_a_national_pre_trend_and_block_an_inconsistent_interval():
    con = build([
        row(),
        row(outcome="rd_expense", pre_trend_p=0.01),
        row(scope_code="310000", outcome="rd_expense", pre_trend_p=0.001),  # a locality's test is not judged
        row(aggregation="event", event_time=0, pre_trend_p=None, excluded_pilots=None, ci_low=5.5),  # excludes its att
        row(aggregation="cell", event_time=0, cohort_year=2023, year=2023, pre_trend_p=None, excluded_pilots=None, se=-0.1),
        row(scope_code="320000", status="insufficient_data", att=None, se=None, ci_low=None, ci_high=None, p_value=None,
            pre_trend_p=None, baseline_mean=None),
    ])
    results = {r.name: r for r in run_checks(con, "run-1", names=GATES, as_of=date(2026, 7, 1))}
    pre_trend = results["pilot_effect_pre_trend"]
    assert pre_trend.severity == "warn" and not pre_trend.passed
    assert pre_trend.observed == pytest.approx(0.01)
    assert [r["outcome"] for r in pre_trend.failing_sample] == ["rd_expense"]
    interval = results["pilot_effect_interval_consistent"]
    assert interval.severity == "block" and not interval.passed and interval.failing_count == 2
    assert sorted(r["aggregation"] for r in interval.failing_sample) == ["cell", "event"]
    recorded = con.execute('SELECT "check", severity, passed FROM audit.check_results WHERE run_id = ? ORDER BY 1', ["run-1"]).fetchall()
    assert recorded == [("pilot_effect_interval_consistent", "block", False), ("pilot_effect_pre_trend", "warn", False)]


def test_the_gates_pass_a_clean_mart():
    con = build([row(), row(outcome="rd_expense", pre_trend_p=0.05), row(scope_code="310000", pre_trend_p=None)])
    assert all(r.passed for r in run_checks(con, "run-2", names=GATES, as_of=date(2026, 7, 1)))


def test_every_column_is_documented_in_chinese_and_english():
    """The mart's columns are the catalogue's marts.pilot_effect (its one statement), each with a
    Chinese and an English label and a doc."""
    import re

    from pilotdw import catalogue

    table = catalogue.table("marts.pilot_effect")
    assert {c.name: c.type for c in table.columns} == COLUMNS
    assert re.search(r"[\u4e00-\u9fff]", table.doc)
    for c in table.columns:
        assert re.search(r"[\u4e00-\u9fff]", c.label_zh) and re.search(r"[A-Za-z]{3}", c.doc_en), c.name


def test_the_estimation_code_is_part_of_the_build_fingerprint():
    # a change to the estimate must rebuild even when nothing landed (orchestration/fingerprint.py)
    from pilotdw import settings
    from pilotdw.orchestration.fingerprint import _CODE_GLOBS

    covered = {p.relative_to(settings.PROJECT_ROOT).as_posix() for g in _CODE_GLOBS for p in settings.PROJECT_ROOT.glob(g)}
    assert {"evaluation/effect.py", "evaluation/warehouse.py"} <= covered
