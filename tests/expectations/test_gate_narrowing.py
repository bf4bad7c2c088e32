"""Whole-table checks hand GX only their columns of the rows that may fail (plans.narrow_sql), yet
record exactly what validating the whole table records: verdict, observed value, message, failing
SQL and the sample rows (read back whole, in table order).

The project's gates are mostly computed frames now (the whole-table facts are dbt tests), so the
whole-table kinds run here from thresholds.yml plus tests/expectations/whole_table_checks.yml."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
import yaml

from pilotdw import settings
from pilotdw.expectations import gates, gx_runtime
from pilotdw.expectations.checks import specs_by_name
from pilotdw.expectations.gates import run_checks
from pilotdw.expectations.plans import ROW_COLUMN, plan_for

AS_OF = date(2026, 1, 15)
WHOLE_TABLE = Path(__file__).with_name("whole_table_checks.yml")


@pytest.fixture
def every_kind(tmp_path) -> Path:
    """A checks file with the project's gates and the whole-table checks of the tests."""
    checks = [
        *yaml.safe_load(settings.THRESHOLDS_YML.read_text(encoding="utf-8"))["checks"],
        *yaml.safe_load(WHOLE_TABLE.read_text(encoding="utf-8"))["checks"],
    ]
    path = tmp_path / "every_kind.yml"
    path.write_text(yaml.safe_dump({"checks": checks}, allow_unicode=True), encoding="utf-8")
    return path

# Faults every whole-table kind must see: values out of range (NaN and -inf among them), unknown
# and flagged values, duplicate and NULL keys, and more failing rows than the sample holds.
FAULTS = [
    "UPDATE raw.filings SET revenue = -1 WHERE year = 2024",
    "UPDATE raw.filings SET rd_expense = 'nan'::DOUBLE, ip_staff = '-inf'::DOUBLE WHERE year = 2023",
    "UPDATE raw.assessments SET total_score = 120 WHERE kind = 'annual'",
    "UPDATE raw.assessments SET results_score = 'nan'::DOUBLE, kind = 'bogus' WHERE kind = 'initial'",
    "UPDATE raw.registers SET qualification = 'unknown' WHERE row_number IN (5, 9)",
    "UPDATE raw.registers SET locality_flag = TRUE WHERE row_number IN (3, 7, 8)",
    # (staging.stg_raw__registers is dbt's view of raw.registers: positions must hold for a view too)
    "INSERT INTO marts.enterprise_improvement SELECT * FROM marts.enterprise_improvement WHERE year = 2024 LIMIT 1",
    "UPDATE marts.enterprise_improvement SET latest_score = 100.5, baseline_score = 'nan'::DOUBLE WHERE year = 2025",
    "UPDATE marts.enterprise_improvement SET uscc = NULL WHERE year = 2023 AND rowid = (SELECT min(rowid) FROM marts.enterprise_improvement)",
    "INSERT INTO marts.dim_enterprise SELECT * FROM marts.dim_enterprise WHERE rowid IN (4, 20)",
    "UPDATE marts.dim_enterprise SET uscc = NULL WHERE rowid = 11",
    "UPDATE marts.fct_pilot_membership SET locality_mismatch = TRUE WHERE year = 2024 AND locality_code > '300000'",
    "UPDATE marts.participation_by_locality_year SET filing_rate = 'nan'::DOUBLE WHERE locality_code = '110000'",
    "UPDATE marts.participation_by_locality_year SET filing_rate = 0.3 WHERE locality_code = '120000' AND year = 2024",
    "UPDATE marts.coverage_by_locality_year SET batch_ratio = 1.5 WHERE year = 2025",
    "UPDATE marts.regional_effectiveness SET effectiveness_index = 'nan'::DOUBLE WHERE year = 2023",
    "UPDATE marts.regional_effectiveness SET effectiveness_index = -1 WHERE year = 2024 AND locality_code < '200000'",
]
# Frames the narrowing must leave to GX whole: missing table and column, a column of another type.
BROKEN = [
    "DROP TABLE marts.national_summary",
    "ALTER TABLE marts.coverage_by_locality_year DROP COLUMN batch_ratio",
    "ALTER TABLE marts.participation_by_locality_year ALTER filing_rate TYPE VARCHAR",
]


def _recorded(results) -> list[tuple]:
    return [
        (r.name, r.passed, r.observed, r.message, r.failing_sql, r.failing_sample, r.failing_count, r.error)
        for r in results
    ]


@pytest.mark.parametrize("faults", [FAULTS, BROKEN], ids=["faults", "broken"])
def test_narrowed_checks_record_what_whole_frames_record(warehouse, faults, every_kind):
    for statement in faults:
        warehouse.execute(statement)
    narrowed = run_checks(warehouse, "run-narrow", as_of=AS_OF, thresholds=every_kind)
    # Without insertion order positions are not stable, so the gates fetch every frame whole.
    warehouse.execute("SET preserve_insertion_order = false")
    whole = run_checks(warehouse, "run-whole", as_of=AS_OF, thresholds=every_kind)
    assert _recorded(narrowed) == _recorded(whole)
    if faults is FAULTS:
        failed = {r.name: r for r in narrowed if not r.passed}
        assert {
            "raw_filing_indicators_nonnegative", "raw_assessment_scores_in_range", "raw_assessment_kind_known",
            "raw_register_qualification_known", "register_locality_mismatch", "improvement_key_unique",
            "improvement_scores_in_range", "dim_enterprise_key_unique", "pilot_locality_mismatch",
            "filing_rate_low", "coverage_ratios_in_range", "effectiveness_index_in_range",
        } <= set(failed)
        assert all(r.error is None for r in narrowed)
        assert failed["filing_rate_low"].observed == pytest.approx(0.3)  # NaN is no rate
        mismatch = failed["pilot_locality_mismatch"]
        assert mismatch.failing_count > 10 and len(mismatch.failing_sample) == 10


def test_gx_gets_only_the_rule_columns_of_the_rows_that_may_fail(warehouse):
    warehouse.execute("UPDATE raw.filings SET revenue = -1 WHERE rowid = (SELECT min(rowid) FROM raw.filings WHERE year = 2024)")
    warehouse.execute("UPDATE raw.filings SET rd_expense = 'nan'::DOUBLE WHERE rowid = (SELECT min(rowid) FROM raw.filings WHERE year = 2023)")
    plans = [plan_for(spec, AS_OF) for spec in specs_by_name(["raw_filing_indicators_nonnegative"], WHOLE_TABLE)]
    frame, rows_at = gates._fetch(warehouse, plans)
    assert list(frame.columns) == list(settings.indicators())
    assert frame["revenue"].tolist() == [-1.0]  # the NaN row is no candidate: pandas counts it null
    (row,) = rows_at([0])
    whole = warehouse.execute("SELECT * FROM raw.filings").df()
    assert row["year"] == 2024 and list(row) == list(whole.columns)  # the full row, for the sample


def test_a_measure_check_gets_its_worst_row_even_when_all_pass(warehouse):
    # 2025's filings are not due at AS_OF: its lower rate is neither judged nor the worst
    warehouse.execute("UPDATE marts.participation_by_locality_year SET filing_rate = 0.85 WHERE locality_code = '310000' AND year = 2024")
    warehouse.execute("UPDATE marts.participation_by_locality_year SET filing_rate = 0.82 WHERE locality_code = '320000' AND year = 2025")
    plans = [plan_for(spec, AS_OF) for spec in specs_by_name(["filing_rate_low"])]
    frame, _ = gates._fetch(warehouse, plans)
    assert frame["filing_rate"].tolist() == [0.85]
    assert ROW_COLUMN not in frame.columns
    (result,) = run_checks(warehouse, "run-worst", as_of=AS_OF, names=["filing_rate_low"])
    assert result.passed and result.observed == pytest.approx(0.85)


def test_validation_results_are_not_kept_in_the_gx_context(warehouse, every_kind):
    warehouse.execute("UPDATE intermediate.int_filings_latest SET revenue = 300 WHERE data_year = 2024")
    run_checks(warehouse, "run-1", as_of=AS_OF, names=["indicator_tenfold_change"])
    store = gx_runtime._context.validation_results_store
    kept = len(store.list_keys())
    run_checks(warehouse, "run-2", as_of=AS_OF, names=["indicator_tenfold_change", "coverage_key_unique"], thresholds=every_kind)
    assert len(store.list_keys()) == kept == 0


def test_a_case_insensitive_column_still_hands_gx_its_unknown_values(warehouse):
    # SQL IN would follow the column's collation; pandas' isin compares exactly
    warehouse.execute("ALTER TABLE raw.assessments ALTER kind TYPE VARCHAR COLLATE NOCASE")
    warehouse.execute("UPDATE raw.assessments SET kind = 'Initial' WHERE rowid = (SELECT min(rowid) FROM raw.assessments "
                      "WHERE kind = 'initial')")
    (result,) = run_checks(warehouse, "run-nocase", as_of=AS_OF, names=["raw_assessment_kind_known"], thresholds=WHOLE_TABLE)
    assert not result.passed and result.observed == 1
    assert result.failing_sample[0]["kind"] == "Initial"


def test_the_tenfold_check_hands_gx_exactly_the_failing_and_the_worst_rows(warehouse):
    """The tenfold check's frame is judged on the wide rows first (one per enterprise-year) and only
    candidates are unpivoted (issue 17): what GX gets must be the full frame's failing rows (a NaN
    fails: it compares above every number in SQL) and its worst row(s), in the frame's order."""
    latest = "intermediate.int_filings_latest"
    some = f"(SELECT uscc FROM {latest} WHERE data_year = 2024 ORDER BY uscc LIMIT {{n}} OFFSET {{k}})"
    warehouse.execute(f"UPDATE {latest} SET revenue = revenue * 30 WHERE data_year = 2024 AND uscc IN {some.format(n=3, k=0)}")
    warehouse.execute(f"UPDATE {latest} SET rd_expense = 'nan'::DOUBLE WHERE data_year = 2024 AND uscc IN {some.format(n=1, k=5)}")
    # a year not reported is not judged, however large the other year
    warehouse.execute(f"UPDATE {latest} SET patent_product_revenue = NULL WHERE data_year IN (2023, 2025) AND uscc IN {some.format(n=2, k=8)}")
    warehouse.execute(f"UPDATE {latest} SET patent_product_revenue = 1e12 WHERE data_year = 2024 AND uscc IN {some.format(n=2, k=8)}")
    (spec,) = specs_by_name(["indicator_tenfold_change"])
    plan = plan_for(spec, AS_OF)
    full = warehouse.execute(plan.frame_sql).df()
    worst = full.loc[full["fold_change"].notna(), "fold_change"].max()
    wanted = full[(full["fold_change"] >= spec.threshold) | full["fold_change"].isna() | (full["fold_change"] == worst)]
    got = warehouse.execute(plan.fetch_sql).df()
    assert plan.reduced_sql is not None and len(got) < len(full)
    assert full["fold_change"].isna().sum() >= 1 and worst < 1e11  # the NaN is in, the half-reported pairs are not
    import pandas as pd

    pd.testing.assert_frame_equal(got.reset_index(drop=True), wanted.reset_index(drop=True))
