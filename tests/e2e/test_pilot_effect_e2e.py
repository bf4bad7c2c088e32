"""marts.pilot_effect through the real `pilotdw run` on the generated demo (tests/e2e/conftest.py):
estimated nationally with the demo's planted effect, every locality's overall row, and its two gates
recorded for the published build."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.slow


def test_the_national_effect_is_estimated_and_finds_the_planted_one(demo_run):
    assert demo_run.returncode == 0, demo_run.stdout[-3000:] + demo_run.stderr[-3000:]
    outcomes = [o for (o,) in demo_run.sql("SELECT outcome FROM seeds.effect_outcomes")]
    assert outcomes == ["invention_applications", "high_value_invention_patents", "rd_expense", "patent_product_revenue"]
    national = {o: (status, att, low, high, n_t, n_c) for o, status, att, low, high, n_t, n_c in demo_run.sql(
        "SELECT outcome, status, att, ci_low, ci_high, n_treated, n_comparison FROM marts.pilot_effect "
        "WHERE scope_code = '000000' AND aggregation = 'overall'")}
    assert set(national) == set(outcomes)
    status, att, low, high, n_treated, n_comparison = national["invention_applications"]
    # demo/activity.py plants +12 % invention applications per year of piloting
    assert status == "estimated" and 0 < low <= att <= high and n_treated >= 20 and n_comparison >= 20
    events = demo_run.sql("SELECT event_time FROM marts.pilot_effect WHERE scope_code = '000000' "
                          "AND outcome = 'invention_applications' AND aggregation = 'event' ORDER BY event_time")
    assert min(e for (e,) in events) < 0 <= max(e for (e,) in events)  # placebos and effects


def test_every_locality_has_its_overall_row_for_every_outcome(demo_run):
    counts = demo_run.sql(
        "SELECT count(*), count(DISTINCT scope_code), count(DISTINCT outcome) FROM marts.pilot_effect WHERE aggregation = 'overall'")
    assert counts == [(38 * 4, 38, 4)]
    missing = demo_run.sql("SELECT locality_code FROM marts.dim_locality EXCEPT SELECT scope_code FROM marts.pilot_effect")
    assert missing == []
    bad = demo_run.sql("SELECT count(*) FROM marts.pilot_effect WHERE status = 'insufficient_data' "
                       "AND (att IS NOT NULL OR aggregation <> 'overall')")
    assert bad == [(0,)]


def test_the_gates_on_the_effect_are_recorded_for_the_published_build(demo_run):
    rows = demo_run.sql(
        'SELECT "check", severity, passed FROM audit.check_results WHERE "check" LIKE \'pilot_effect_%\' '
        "AND run_id = (SELECT run_id FROM audit.builds WHERE published_at IS NOT NULL ORDER BY published_at DESC LIMIT 1) "
        'ORDER BY "check"')
    assert [(c, s) for c, s, _ in rows] == [("pilot_effect_interval_consistent", "block"), ("pilot_effect_pre_trend", "warn")]
    assert rows[0][2] is True  # a published build passed every block
