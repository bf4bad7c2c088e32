"""Each gate against a real DuckDB build file: the crafted clean database passes, one crafted fault
fails exactly the gate meant to catch it, with the right severity, observed value and message."""
from __future__ import annotations

import json
from datetime import date

import pytest

from pilotdw import settings
from tests.expectations.crafted import SHANGHAI, SHENZHEN, fake_uscc
from pilotdw.expectations.checks import check_specs
from pilotdw.expectations.gates import blocking_failures, failing_rows, run_checks

AS_OF = date(2026, 1, 15)  # after every list deadline of 2023-2025


def one(con, name: str, as_of: date = AS_OF):
    (result,) = run_checks(con, f"test-{name}", as_of=as_of, names=[name])
    return result


def assert_fails(result, severity: str, observed, fragment: str):
    assert not result.passed
    assert result.severity == severity
    assert result.error is None, result.error
    if isinstance(observed, float):
        assert result.observed == pytest.approx(observed)
    else:
        assert result.observed == observed
    assert result.table in result.message and fragment in result.message, result.message


# ---- the clean database -------------------------------------------------------------------------


def test_clean_warehouse_passes_every_check_and_records_one_row_each(warehouse):
    results = run_checks(warehouse, "run-clean")  # as_of defaults to today: all lists are on time
    failed = [(r.name, r.message) for r in results if not r.passed]
    assert failed == []
    assert blocking_failures(results) == []
    assert [r.name for r in results] == [s.name for s in check_specs()]
    rows = warehouse.execute(
        'SELECT "check", severity, passed, run_id FROM audit.check_results ORDER BY "check"'
    ).fetchall()
    assert sorted(r.name for r in results) == [row[0] for row in rows]
    assert all(row[2] and row[3] == "run-clean" for row in rows)


# ---- block gates ---------------------------------------------------------------------------------


def test_a_rejected_source_file_blocks(warehouse):
    warehouse.execute(
        "INSERT INTO audit.loads (path, content_hash, source, rows_read, rows_loaded, rows_quarantined, status, reason, loaded_at) "
        "VALUES ('pilots/名单.docx', 'h-docx', 'pilots', 0, 0, 0, 'rejected', 'unsupported extension .docx', now())"
    )
    result = one(warehouse, "source_files_rejected")
    assert_fails(result, "block", 1, "1 source file(s) rejected")
    assert [row["path"] for row in result.failing_sample] == ["pilots/名单.docx"]


@pytest.mark.parametrize("quarantined, passes", [(2, True), (3, False)])
def test_quarantine_above_two_percent_of_a_source_blocks(warehouse, quarantined, passes):
    warehouse.execute(
        "UPDATE audit.loads SET rows_read = 100, rows_loaded = 100 - ?, rows_quarantined = ? WHERE source = 'pilots'",
        [quarantined, quarantined],
    )
    result = one(warehouse, "quarantine_share")
    assert result.observed == pytest.approx(quarantined / 100)
    if passes:
        assert result.passed
    else:
        assert_fails(result, "block", 0.03, "1 source(s) with more than 2 % of their rows quarantined")
        assert [row["source"] for row in result.failing_sample] == ["pilots"]


def test_quarantine_of_a_superseded_file_does_not_count(warehouse):
    warehouse.execute(
        "INSERT INTO audit.loads (path, content_hash, source, rows_read, rows_loaded, rows_quarantined, status, loaded_at) "
        "VALUES ('pilots/old.tsv', 'h-old', 'pilots', 10, 5, 5, 'superseded', now())"
    )
    assert one(warehouse, "quarantine_share").passed


@pytest.mark.parametrize(
    "check, table, key",
    [
        ("coverage_key_unique", "marts.coverage_by_locality_year", "locality_code = '310000' AND year = 2024"),
        ("participation_key_unique", "marts.participation_by_locality_year", "locality_code = '310000' AND year = 2024"),
        ("improvement_key_unique", "marts.enterprise_improvement", f"uscc = '{fake_uscc(SHANGHAI, 1)}' AND year = 2024"),
        ("effectiveness_key_unique", "marts.regional_effectiveness", "locality_code = '000000' AND year = 2025"),
        ("national_summary_key_unique", "marts.national_summary", "year = 2023"),
        ("dim_locality_key_unique", "marts.dim_locality", "locality_code = '660000'"),
        ("dim_enterprise_key_unique", "marts.dim_enterprise", f"uscc = '{fake_uscc(SHANGHAI, 7)}'"),
        ("pilot_membership_key_unique", "marts.fct_pilot_membership", "locality_code = '110000' AND year = 2024"),
    ],
)
def test_a_duplicate_mart_key_blocks(warehouse, check, table, key):
    warehouse.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE {key}")
    result = one(warehouse, check)
    assert_fails(result, "block", 2, "2 row(s) with a duplicate or missing")
    assert result.failing_count == 2 and len(result.failing_sample) == 2


def test_a_missing_key_value_blocks(warehouse):
    warehouse.execute("UPDATE marts.coverage_by_locality_year SET year = NULL WHERE locality_code = '110000' AND year = 2025")
    result = one(warehouse, "coverage_key_unique")
    assert_fails(result, "block", 1, "year is null: 1 row(s)")


@pytest.mark.parametrize(
    "check, table, column, value",
    [
        ("coverage_ratios_in_range", "marts.coverage_by_locality_year", "batch_ratio", 1.5),
        ("participation_ratios_in_range", "marts.participation_by_locality_year", "filing_rate", -0.1),
        ("effectiveness_ratios_in_range", "marts.regional_effectiveness", "share_improved", 1.01),
        ("national_ratios_in_range", "marts.national_summary", "cumulative_coverage", 33.3),  # percent, not fraction
    ],
)
def test_a_ratio_outside_zero_one_blocks(warehouse, check, table, column, value):
    warehouse.execute(f"UPDATE {table} SET {column} = ? WHERE year = 2024 AND rowid = (SELECT min(rowid) FROM {table} WHERE year = 2024)", [value])
    result = one(warehouse, check)
    assert_fails(result, "block", 1, f"{column} outside [0, 1]: 1 row(s)")
    assert result.failing_sample[0][column] == pytest.approx(value)


@pytest.mark.parametrize(
    "check, table, column, value",
    [
        ("improvement_scores_in_range", "marts.enterprise_improvement", "latest_score", 100.5),
        ("effectiveness_index_in_range", "marts.regional_effectiveness", "effectiveness_index", -1.0),
        ("raw_assessment_scores_in_range", "raw.assessments", "total_score", 120.0),
        ("raw_assessment_scores_in_range", "raw.assessments", "process_score", -5.0),
    ],
)
def test_a_score_outside_zero_hundred_blocks(warehouse, check, table, column, value):
    warehouse.execute(f"UPDATE {table} SET {column} = ? WHERE rowid = (SELECT min(rowid) FROM {table})", [value])
    result = one(warehouse, check)
    assert_fails(result, "block", 1, f"{column} outside [0, 100]: 1 row(s)")


def _shanghai_base(con, bases: dict[int, int]) -> None:
    for year, base in bases.items():
        con.execute(
            "UPDATE marts.coverage_by_locality_year SET eligible_base = ? WHERE locality_code = ? AND year = ?",
            [base, SHANGHAI, year],
        )


def _revoked_registers(con, count: int, revoked_year: int, keeps_another: bool) -> None:
    def register(uscc: str, qualification: str, recognized: int, revoked: int | None, row: int) -> None:
        con.execute(
            "INSERT INTO raw.registers BY NAME SELECT ? AS uscc, 'x' AS name, 'x' AS name_key, ? AS qualification, "
            "? AS recognized_year, ? AS revoked_year, ? AS locality_code, ? AS locality_code_derived, "
            "FALSE AS locality_flag, 'registers/r2.csv' AS source_file, 'h-r2' AS file_hash, ? AS row_number, "
            "now() AS loaded_at",
            [uscc, qualification, recognized, revoked, SHANGHAI, SHANGHAI, row],
        )

    for i in range(count):
        uscc = fake_uscc(SHANGHAI, 500 + i)
        register(uscc, "little_giant", 2020, revoked_year, i + 2)
        if keeps_another:  # a second qualification still held: the enterprise stays eligible
            register(uscc, "ip_advantage", 2021, None, 1000 + i)


def test_an_unexplained_fall_of_the_eligible_base_blocks(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    result = one(warehouse, "eligible_base_drop")
    assert_fails(result, "block", 0.30, "1 locality-year(s) whose eligible_base fell by more than 20 %")
    assert [(r["locality_code"], r["year"], r["revoked_in_year"]) for r in result.failing_sample] == [(SHANGHAI, 2024, 0)]


def test_a_fall_explained_by_revocations_passes(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    _revoked_registers(warehouse, 15, 2024, keeps_another=False)
    result = one(warehouse, "eligible_base_drop")
    assert result.passed, result.message
    assert result.observed == pytest.approx((100 - 70 - 15) / 100)


def test_revocations_of_enterprises_that_stay_eligible_explain_nothing(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    _revoked_registers(warehouse, 15, 2024, keeps_another=True)
    assert_fails(one(warehouse, "eligible_base_drop"), "block", 0.30, "eligible_base fell")


def test_a_fall_of_exactly_twenty_percent_passes(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 80, 2025: 80})
    assert one(warehouse, "eligible_base_drop").passed


# ---- warn gates ------------------------------------------------------------------------------------


@pytest.mark.parametrize("unmatched, passes", [(1, True), (2, False)])
def test_unmatched_pilots_above_five_percent_warn(warehouse, unmatched, passes):
    warehouse.execute(
        "UPDATE marts.coverage_by_locality_year SET batch_pilots = 20, unmatched_pilots = ? WHERE locality_code = ? AND year = 2024",
        [unmatched, SHENZHEN],
    )
    result = one(warehouse, "pilot_unmatched_share")
    assert result.observed == pytest.approx(unmatched / 20)
    if passes:
        assert result.passed
    else:
        assert_fails(result, "warn", 0.10, "1 locality-year(s) with more than 5 % of their list unmatched")
        assert blocking_failures([result]) == []


def _no_list(con, locality_code: str, year: int) -> None:
    """The mart's row for a locality-year without any list: list_on_time is NULL."""
    con.execute(
        "UPDATE marts.coverage_by_locality_year SET has_list = FALSE, list_submitted_on = NULL, list_on_time = NULL "
        "WHERE locality_code = ? AND year = ?",
        [locality_code, year],
    )


def test_a_missing_list_warns_only_after_the_deadline(warehouse):
    _no_list(warehouse, "130000", 2025)
    assert one(warehouse, "pilot_list_deadline", as_of=date(2025, 3, 31)).passed  # due by the end of 31 March
    result = one(warehouse, "pilot_list_deadline", as_of=date(2025, 4, 1))
    assert_fails(result, "warn", 1, "1 locality-year(s) with no pilot list by the deadline")
    assert result.table == "marts.coverage_by_locality_year"
    assert [(r["locality_code"], r["year"], r["list_status"]) for r in result.failing_sample] == [("130000", 2025, "missing")]


@pytest.mark.parametrize("on_time, passes", [(True, True), (False, False)])
def test_a_list_the_mart_judges_late_warns(warehouse, on_time, passes):
    # the mart's verdict is final: a date after list_deadline with list_on_time TRUE (another batch
    # was in time, or one is undated) does not warn
    warehouse.execute(
        "UPDATE marts.coverage_by_locality_year SET list_submitted_on = DATE '2024-04-01', list_on_time = ? "
        "WHERE locality_code = '140000' AND year = 2024",
        [on_time],
    )
    result = one(warehouse, "pilot_list_deadline")
    if passes:
        assert result.passed, result.message
    else:
        assert_fails(result, "warn", 1, "1 locality-year(s) with no pilot list by the deadline")
        assert [(r["locality_code"], r["year"], r["list_status"]) for r in result.failing_sample] == [("140000", 2024, "late")]


def test_the_deadline_is_the_marts_list_deadline(warehouse):
    # a missing list is judged against the mart's list_deadline, whatever the date would be by hand
    _no_list(warehouse, "150000", 2024)
    warehouse.execute(
        "UPDATE marts.coverage_by_locality_year SET list_deadline = DATE '2024-09-30' "
        "WHERE locality_code = '150000' AND year = 2024"
    )
    assert one(warehouse, "pilot_list_deadline", as_of=date(2024, 9, 30)).passed
    result = one(warehouse, "pilot_list_deadline", as_of=date(2024, 10, 1))
    assert_fails(result, "warn", 1, "no pilot list by the deadline")
    assert result.failing_sample[0]["list_deadline"] == "2024-09-30"  # samples are JSON: ISO dates


def test_years_after_the_programme_expect_no_list(warehouse):
    # a mart year beyond P1 (data for it arrived, e.g. filings) is not a year lists are due for
    warehouse.execute(
        "INSERT INTO marts.coverage_by_locality_year BY NAME "
        "SELECT * REPLACE (year + 1 AS year, make_date(year + 1, 3, 31) AS list_deadline, FALSE AS has_list, "
        "NULL::DATE AS list_submitted_on, NULL::BOOLEAN AS list_on_time) "
        "FROM marts.coverage_by_locality_year WHERE year = ?",
        [settings.P1],
    )
    assert one(warehouse, "pilot_list_deadline", as_of=date(settings.P1 + 2, 1, 1)).passed


@pytest.mark.parametrize("rate, passes", [(0.8, True), (0.5, False)])
def test_a_filing_rate_below_eighty_percent_warns(warehouse, rate, passes):
    warehouse.execute(
        "UPDATE marts.participation_by_locality_year SET filing_rate = ? WHERE locality_code = '320000' AND year = 2024", [rate]
    )
    result = one(warehouse, "filing_rate_low")
    assert result.observed == pytest.approx(rate)
    if passes:
        assert result.passed
    else:
        assert_fails(result, "warn", 0.5, "1 locality-year(s) with a filing rate below 80 %")
        assert (result.failing_sample[0]["locality_code"], result.failing_sample[0]["year"]) == ("320000", 2024)


@pytest.mark.parametrize(
    "yoy, fold, passes",
    [
        (9.0, 10.0, True),  # exactly tenfold is allowed
        (9.5, 10.5, False),
        (-0.9, 10.0, True),  # a fall to a tenth is exactly tenfold
        (-0.95, 20.0, False),
        (-1.0, float("inf"), False),  # a fall to zero
    ],
)
def test_an_indicator_changing_more_than_tenfold_warns(warehouse, yoy, fold, passes):
    uscc = fake_uscc(SHANGHAI, 2)
    warehouse.execute(
        "UPDATE marts.enterprise_improvement SET rd_expense_yoy = ? WHERE uscc = ? AND year = 2025", [yoy, uscc]
    )
    result = one(warehouse, "indicator_tenfold_change")
    assert result.observed == pytest.approx(fold)
    if passes:
        assert result.passed
    else:
        assert_fails(result, "warn", fold, "1 enterprise-year indicator(s) changing more than 10-fold")
        row = result.failing_sample[0]
        assert (row["uscc"], row["year"], row["indicator"]) == (uscc, 2025, "rd_expense")


def test_a_register_locality_flag_warns(warehouse):
    warehouse.execute(
        "UPDATE staging.stg_raw__registers SET locality_disagrees_with_uscc = TRUE, locality_code = '440300' WHERE uscc = ?",
        [fake_uscc(SHANGHAI, 3)],
    )
    result = one(warehouse, "register_locality_mismatch")
    assert_fails(result, "warn", 1, "1 register row(s) whose locality disagrees with their USCC")
    assert result.failing_sample[0]["uscc"] == fake_uscc(SHANGHAI, 3)


def test_a_pilot_listed_by_another_locality_warns(warehouse):
    warehouse.execute(
        "UPDATE marts.fct_pilot_membership SET locality_mismatch = TRUE WHERE locality_code = '500000' AND year IN (2023, 2025)"
    )
    assert_fails(one(warehouse, "pilot_locality_mismatch"), "warn", 2, "2 pilot row(s) listed by a locality other")


# ---- errors count as failures --------------------------------------------------------------------


def test_a_missing_column_inside_gx_validation_counts_as_failed(warehouse):
    warehouse.execute("ALTER TABLE marts.coverage_by_locality_year DROP COLUMN batch_ratio")
    results = {r.name: r for r in run_checks(warehouse, "run-err", as_of=AS_OF, names=["coverage_ratios_in_range", "coverage_key_unique"])}
    broken = results["coverage_ratios_in_range"]
    assert not broken.passed and broken.severity == "block"
    assert "batch_ratio" in broken.error and "BatchData" in broken.error  # raised inside GX, not DuckDB
    assert "could not be evaluated" in broken.message and broken.table in broken.message
    assert str(broken.observed).startswith("error:")
    assert results["coverage_key_unique"].passed  # same frame, unaffected rule
    assert blocking_failures(list(results.values())) == [broken]


def test_a_missing_table_counts_as_failed(warehouse):
    warehouse.execute("DROP TABLE marts.national_summary")
    results = run_checks(warehouse, "run-err", as_of=AS_OF, names=["national_summary_key_unique", "national_ratios_in_range"])
    assert [r.passed for r in results] == [False, False]
    assert all("national_summary" in r.error for r in results)
    stored = warehouse.execute(
        "SELECT passed, observed_value, observed_text FROM audit.check_results WHERE run_id = 'run-err'"
    ).fetchall()
    assert len(stored) == 2 and all(not p and v is None and t.startswith("error:") for p, v, t in stored)


def test_a_missing_computed_frame_column_counts_as_failed(warehouse):
    warehouse.execute("ALTER TABLE marts.coverage_by_locality_year DROP COLUMN unmatched_pilots")
    result = one(warehouse, "pilot_unmatched_share")
    assert not result.passed and result.severity == "warn" and "unmatched_pilots" in result.error


# ---- audit.check_results and failing rows ----------------------------------------------------------


def test_check_results_get_one_row_per_check_and_run(warehouse):
    names = ["source_files_rejected", "coverage_ratios_in_range", "filing_rate_low"]
    warehouse.execute("UPDATE marts.coverage_by_locality_year SET batch_ratio = 2 WHERE year = 2025")
    run_checks(warehouse, "run-a", as_of=AS_OF, names=names)
    run_checks(warehouse, "run-a", as_of=AS_OF, names=names)  # a retry replaces, not duplicates
    run_checks(warehouse, "run-b", as_of=AS_OF, names=names[:1])
    counts = dict(warehouse.execute("SELECT run_id, count(*) FROM audit.check_results GROUP BY run_id").fetchall())
    assert counts == {"run-a": 3, "run-b": 1}
    row = warehouse.execute(
        'SELECT "table", severity, passed, observed_value, threshold, failing_rows, failing_sql, failing_sample, '
        "message, label_zh, checked_at FROM audit.check_results WHERE run_id = 'run-a' AND \"check\" = 'coverage_ratios_in_range'"
    ).fetchone()
    table, severity, passed, observed, threshold, failing, sql, sample, message, label, checked_at = row
    assert (table, severity, passed, observed, threshold, failing) == ("marts.coverage_by_locality_year", "block", False, 37, 0, 37)
    assert len(json.loads(sample)) == 10 and "batch_ratio" in message and label and checked_at
    assert len(warehouse.execute(sql).fetchall()) == 37


def test_failing_sql_lists_exactly_the_rows_gx_rejected(warehouse):
    warehouse.execute("UPDATE marts.regional_effectiveness SET effectiveness_index = 120 WHERE year = 2023 AND locality_code < '200000'")
    warehouse.execute("INSERT INTO marts.national_summary SELECT * FROM marts.national_summary")
    warehouse.execute("UPDATE marts.enterprise_improvement SET revenue_yoy = 30 WHERE year = 2024")
    _shanghai_base(warehouse, {2023: 100, 2024: 50, 2025: 10})
    warehouse.execute(
        "UPDATE marts.coverage_by_locality_year SET has_list = FALSE, list_submitted_on = NULL, list_on_time = NULL "
        "WHERE year = 2025 AND locality_code > '600000'"
    )
    results = [r for r in run_checks(warehouse, "run-sql", as_of=AS_OF) if not r.passed]
    assert {r.name for r in results} == {
        "effectiveness_index_in_range",
        "national_summary_key_unique",
        "indicator_tenfold_change",
        "eligible_base_drop",
        "pilot_list_deadline",
    }
    for result in results:
        rows = failing_rows(warehouse, result)
        assert len(rows) == result.failing_count > 0, result.name
        sample = [json.dumps(r, sort_keys=True) for r in result.failing_sample]
        assert set(sample) <= {json.dumps(r, sort_keys=True) for r in rows}, result.name
