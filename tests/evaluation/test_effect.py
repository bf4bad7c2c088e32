"""marts.pilot_effect computed by evaluation/effect.py on panels with a planted truth: the library's
estimates are checked against the truth, against an independent pandas computation of every
ATT(g,t), and against the aggregation weights of metrics.md worked out by hand."""
from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from pilotdw.evaluation import effect
from pilotdw.evaluation.effect import COLUMNS, NATIONAL, pilot_effect
from tests.evaluation.panels import OUTCOMES, att_gt_by_hand, constant, panel

NO_EXCLUDED = pd.DataFrame({"locality_code": pd.Series(dtype=str), "pilot_key": pd.Series(dtype=str), "uscc": pd.Series(dtype=str)})
DELTA = 5.0


def estimate(frame: pd.DataFrame, localities=("310000",), outcomes=OUTCOMES, excluded=NO_EXCLUDED) -> pd.DataFrame:
    return pilot_effect(frame, list(outcomes), list(localities), excluded)


def rows(mart: pd.DataFrame, scope=NATIONAL, **where) -> pd.DataFrame:
    m = mart[mart["scope_code"] == scope]
    for column, value in where.items():
        m = m[m[column] == value]
    return m


def one(mart: pd.DataFrame, **where) -> dict:
    found = rows(mart, **where)
    assert len(found) == 1, found
    return found.iloc[0].to_dict()


def covers(row: dict, value: float) -> bool:
    return row["ci_low"] <= value <= row["ci_high"]


@pytest.fixture(scope="module")
def constant_effect():
    """δ on invention_applications from the pilot year on, nothing on rd_expense; three cohorts and
    never-piloted enterprises; an eighth of the enterprise-years unfiled."""
    frame = panel({2023: 120, 2024: 100, 2025: 110, 0: 150},
                  {"invention_applications": constant(DELTA), "rd_expense": constant(0.0)}, gap_rate=0.12)
    return frame, estimate(frame)


def test_constant_effect_is_recovered(constant_effect):
    _, mart = constant_effect
    treated = one(mart, outcome="invention_applications", aggregation="overall")
    assert treated["status"] == "estimated"
    assert covers(treated, DELTA) and not covers(treated, 0.0), treated
    untreated = one(mart, outcome="rd_expense", aggregation="overall")
    assert covers(untreated, 0.0), untreated
    placebos = rows(mart, outcome="invention_applications", aggregation="event")
    placebos = placebos[placebos["event_time"] < 0]
    assert len(placebos) >= 3
    for _, placebo in placebos.iterrows():
        assert covers(placebo, 0.0), placebo.to_dict()
    assert treated["pre_trend_p"] > 0.05


def test_every_att_gt_equals_an_independent_computation(constant_effect):
    frame, mart = constant_effect
    for outcome in OUTCOMES:
        expected = att_gt_by_hand(frame, outcome)
        got = rows(mart, outcome=outcome, aggregation="cell")
        assert {(int(r.cohort_year), int(r.year)) for r in got.itertuples()} == set(expected)
        for r in got.itertuples():
            want = expected[(int(r.cohort_year), int(r.year))]
            assert r.att == pytest.approx(want["att"], abs=1e-9)
            assert r.n_treated == want["n_treated"] and r.n_comparison == want["n_comparison"]
            assert r.baseline_mean == pytest.approx(want["baseline_mean"], abs=1e-9)
            assert r.event_time == r.year - r.cohort_year


def test_aggregation_weights_worked_by_hand():
    """A different effect per cohort, cohorts of different sizes (balanced panel): overall weighs
    every post cell by its cohort's size, an event time weighs its cells likewise, a cohort averages
    its post cells."""
    sizes = {2023: 60, 2024: 30, 2025: 90, 0: 80}
    by_cohort = {2023: 2.0, 2024: 8.0, 2025: -3.0}
    frame = panel(sizes, {"invention_applications": lambda g, t: by_cohort[g] + (t - g)}, seed=11, noise=0.5)
    mart = estimate(frame, outcomes=["invention_applications"])
    cells = {(int(r.cohort_year), int(r.year)): r.att for r in rows(mart, aggregation="cell").itertuples()}
    post = {gt: a for gt, a in cells.items() if gt[1] >= gt[0]}
    # 2023: 2023–2025, 2024: 2024–2025, 2025: 2025 → weights 60,60,60, 30,30, 90 over 300
    assert sorted(post) == [(2023, 2023), (2023, 2024), (2023, 2025), (2024, 2024), (2024, 2025), (2025, 2025)]
    overall = sum(sizes[g] * a for (g, _), a in post.items()) / sum(sizes[g] for g, _ in post)
    assert one(mart, aggregation="overall")["att"] == pytest.approx(overall, abs=1e-9)
    for e in (0, 1, 2):
        members = {(g, t): a for (g, t), a in post.items() if t - g == e}
        want = sum(sizes[g] * a for (g, _), a in members.items()) / sum(sizes[g] for g, _ in members)
        assert one(mart, aggregation="event", event_time=e)["att"] == pytest.approx(want, abs=1e-9)
    for g in (2023, 2024, 2025):
        want = np.mean([a for (c, _), a in post.items() if c == g])
        assert one(mart, aggregation="cohort", cohort_year=g)["att"] == pytest.approx(want, abs=1e-9)
    # the planted truth, within the noise: cohort 2024's average is 8 + 0.5
    assert covers(one(mart, aggregation="cohort", cohort_year=2024), 8.5)


def test_two_runs_give_identical_rows(constant_effect):
    frame, first = constant_effect
    pd.testing.assert_frame_equal(first, estimate(frame.sample(frac=1.0, random_state=3)))


def test_fits_in_worker_processes_give_the_same_rows(constant_effect):
    """A large panel's scopes are fitted in two processes (issue 17); each fit has its own seed, so
    the mart is the same row for row as when fitted one after another here."""
    frame, first = constant_effect
    two_localities = frame.assign(locality_code=np.where(frame.index % 2 == 0, "310000", "320000"))
    serial = pilot_effect(two_localities, list(OUTCOMES), ["310000", "320000"], NO_EXCLUDED, workers=1)
    parallel = pilot_effect(two_localities, list(OUTCOMES), ["310000", "320000"], NO_EXCLUDED, workers=2)
    assert (serial["status"] == "estimated").sum() > 0
    pd.testing.assert_frame_equal(serial, parallel)


def test_a_broken_parallel_trend_shows_in_pre_trend_p():
    frame = panel({2023: 120, 2024: 100, 2025: 110, 0: 150}, {"invention_applications": constant(DELTA)}, pre_trend=1.0, seed=5)
    row = one(estimate(frame, outcomes=["invention_applications"]), aggregation="overall")
    assert row["pre_trend_p"] < 0.05


def _assert_clean(mart: pd.DataFrame, localities, outcomes):
    assert list(mart.columns) == list(COLUMNS)
    overall = mart[mart["aggregation"] == "overall"]
    assert sorted(zip(overall["scope_code"], overall["outcome"])) == sorted(
        (s, o) for s in [NATIONAL, *localities] for o in outcomes)
    for column, sql_type in COLUMNS.items():
        if sql_type == "DOUBLE":
            values = mart[column].dropna().astype(float)
            assert np.isfinite(values).all(), column  # a NaN is NULL, never a number
    insufficient = mart[mart["status"] == "insufficient_data"]
    assert (insufficient["aggregation"] == "overall").all()
    for column in ("att", "se", "ci_low", "ci_high", "p_value", "baseline_mean", "pre_trend_p"):
        assert insufficient[column].isna().all(), column
    key = ["scope_code", "outcome", "aggregation", "event_time", "cohort_year", "year"]
    assert not mart[key].astype(str).duplicated().any()


def test_edge_cases_give_insufficient_data_or_an_estimate_never_an_error():
    # 310000: every enterprise piloted in 2023, so no comparison enterprise in any post cell;
    # 320000: one cohort only, against never-piloted enterprises; 330000: a handful of enterprises;
    # 340000: no enterprise at all; rd_expense: nobody reported it; gaps everywhere.
    only_treated = panel({2023: 40}, {"invention_applications": constant(DELTA)}, locality="310000", gap_rate=0.2)
    one_cohort = panel({2024: 45, 0: 50}, {"invention_applications": constant(DELTA)}, locality="320000", seed=3, gap_rate=0.2)
    few = panel({2023: 5, 2025: 4, 0: 6}, {"invention_applications": constant(DELTA)}, locality="330000", seed=4)
    frame = pd.concat([only_treated, one_cohort, few], ignore_index=True)
    frame["rd_expense"] = np.nan
    localities = ["310000", "320000", "330000", "340000"]
    mart = estimate(frame, localities=localities)
    _assert_clean(mart, localities, OUTCOMES)

    no_comparison = one(mart, scope="310000", outcome="invention_applications", aggregation="overall")
    assert no_comparison["status"] == "insufficient_data"
    assert no_comparison["n_treated"] > 0 and no_comparison["n_comparison"] == 0

    single = one(mart, scope="320000", outcome="invention_applications", aggregation="overall")
    assert single["status"] == "estimated" and covers(single, DELTA)
    assert rows(mart, scope="320000", aggregation="cohort")["cohort_year"].tolist() == [2024]
    expected = att_gt_by_hand(one_cohort, "invention_applications")
    for r in rows(mart, scope="320000", aggregation="cell").itertuples():
        assert r.att == pytest.approx(expected[(r.cohort_year, r.year)]["att"], abs=1e-9)

    for scope in ("330000", "340000"):
        assert one(mart, scope=scope, outcome="invention_applications", aggregation="overall")["status"] == "insufficient_data"
    assert one(mart, scope="340000", outcome="invention_applications", aggregation="overall")["n_treated"] == 0
    for scope in [NATIONAL, *localities]:
        nobody = one(mart, scope=scope, outcome="rd_expense", aggregation="overall")
        assert nobody["status"] == "insufficient_data" and nobody["n_treated"] == 0


def test_no_panel_at_all():
    empty = panel({2023: 1}, {o: constant(0.0) for o in OUTCOMES}).iloc[0:0]
    mart = estimate(empty, localities=["310000", "320000"])
    _assert_clean(mart, ["310000", "320000"], OUTCOMES)
    assert (mart["status"] == "insufficient_data").all()


def test_a_year_nobody_filed_is_not_replaced_by_an_earlier_base():
    # Nobody filed for 2021: the run of years used is 2022–2025, so cohort 2023's base is 2022 and
    # no cell reaches back to 2020 across the hole.
    frame = panel({2023: 60, 2024: 50, 0: 60}, {"invention_applications": constant(DELTA)}, seed=9)
    frame = frame[frame["data_year"] != 2021]
    cells = rows(estimate(frame, outcomes=["invention_applications"]), aggregation="cell")
    assert cells["year"].min() >= 2023 and set(cells["cohort_year"]) == {2023, 2024}
    assert (cells["year"] - cells["event_time"] == cells["cohort_year"]).all()


def test_excluded_pilots_are_counted_on_overall_rows(constant_effect):
    frame, _ = constant_effect
    excluded = pd.DataFrame({
        "locality_code": ["310000", "310000", "320000", "320000"],
        "pilot_key": ["name:甲医院", "91310000MA1XXXXXX1", "name:甲医院", "91310000MA1XXXXXX1"],
        "uscc": [None, "91310000MA1XXXXXX1", None, "91310000MA1XXXXXX1"],
    })
    mart = estimate(frame, localities=["310000", "320000"], excluded=excluded)
    overall = mart[mart["aggregation"] == "overall"].set_index(["scope_code", "outcome"])["excluded_pilots"]
    # national: one enterprise listed twice counts once; an unresolved name counts per locality
    assert overall[(NATIONAL, "rd_expense")] == 3
    assert overall[("310000", "rd_expense")] == 2 and overall[("320000", "rd_expense")] == 2
    assert mart.loc[mart["aggregation"] != "overall", "excluded_pilots"].isna().all()
    assert mart.loc[mart["aggregation"] != "overall", "pre_trend_p"].isna().all()


def test_interval_contains_estimate_and_se_nonnegative(constant_effect):
    _, mart = constant_effect
    est = mart[mart["status"] == "estimated"]
    assert (est["ci_low"] <= est["att"]).all() and (est["att"] <= est["ci_high"]).all()
    assert (est["se"] >= 0).all()
    assert ((est["p_value"] > 0) & (est["p_value"] <= 1)).all()
    assert math.isclose(effect.N_BOOTSTRAP, 999)
