"""Each gate against a real build file: the build the real pipeline made from a clean landing
(tests/fixtures/real_builds.py) passes, one fault injected with SQL into a copy fails exactly the
gate meant to catch it, with the right severity, observed value and message.

The whole-table kinds (keys, ranges, vocabularies, flags) are not the project's gates -- dbt tests
state those facts (docs/quality-gates.md, "Which door") -- but the kinds stay available to
thresholds.yml: they are exercised here with tests/expectations/whole_table_checks.yml."""
from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from pilotdw import settings
from tests.fixtures.real_builds import clean_uscc
from pilotdw.expectations.checks import check_specs, specs_by_name
from pilotdw.expectations.plans import plan_for
from pilotdw.expectations.gates import blocking_failures, failing_rows, run_checks

SHANGHAI, SHENZHEN = "310000", "440300"
AS_OF = date(2026, 1, 15)  # after every list deadline of 2023-2025, the filing deadlines of 2023-2024
WHOLE_TABLE = Path(__file__).with_name("whole_table_checks.yml")


def one(con, name: str, as_of: date = AS_OF, thresholds: Path | None = None):
    (result,) = run_checks(con, f"test-{name}", as_of=as_of, names=[name], thresholds=thresholds)
    return result


def whole(con, name: str):
    return one(con, name, thresholds=WHOLE_TABLE)


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
        'SELECT "check", severity, passed, run_id FROM audit.check_results WHERE run_id = \'run-clean\' ORDER BY "check"'
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
        ("improvement_key_unique", "marts.enterprise_improvement", f"uscc = '{clean_uscc(SHANGHAI, 1)}' AND year = 2024"),
        ("effectiveness_key_unique", "marts.regional_effectiveness", "locality_code = '000000' AND year = 2025"),
        ("national_summary_key_unique", "marts.national_summary", "year = 2023"),
        ("dim_locality_key_unique", "marts.dim_locality", "locality_code = '660000'"),
        ("dim_enterprise_key_unique", "marts.dim_enterprise", f"uscc = '{clean_uscc(SHANGHAI, 7)}'"),
        ("pilot_membership_key_unique", "marts.fct_pilot_membership", f"uscc = '{clean_uscc('110000', 3)}' AND year = 2024"),
    ],
)
def test_a_duplicate_mart_key_blocks(warehouse, check, table, key):
    warehouse.execute(f"INSERT INTO {table} SELECT * FROM {table} WHERE {key}")
    result = whole(warehouse, check)
    assert_fails(result, "block", 2, "2 row(s) with a duplicate or missing")
    assert result.failing_count == 2 and len(result.failing_sample) == 2


def test_a_missing_key_value_blocks(warehouse):
    warehouse.execute("UPDATE marts.coverage_by_locality_year SET year = NULL WHERE locality_code = '110000' AND year = 2025")
    result = whole(warehouse, "coverage_key_unique")
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
    result = whole(warehouse, check)
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
    result = whole(warehouse, check)
    assert_fails(result, "block", 1, f"{column} outside [0, 100]: 1 row(s)")


def _shanghai_base(con, bases: dict[int, int]) -> None:
    for year, base in bases.items():
        con.execute(
            "UPDATE marts.coverage_by_locality_year SET eligible_base = ? WHERE locality_code = ? AND year = ?",
            [base, SHANGHAI, year],
        )


def _revoked(con, count: int, year: int) -> None:
    """The mart says `count` enterprises left Shanghai's base by a revocation in `year` (who counts
    is dbt's rule, tested against an independent truth in tests/dbt)."""
    con.execute("UPDATE marts.coverage_by_locality_year SET eligible_revoked = ? WHERE locality_code = ? AND year = ?",
                [count, SHANGHAI, year])


def test_an_unexplained_fall_of_the_eligible_base_blocks(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    result = one(warehouse, "eligible_base_drop")
    assert_fails(result, "block", 0.30, "1 locality-year(s) whose eligible_base fell by more than 20 %")
    assert [(r["locality_code"], r["year"], r["revoked_in_year"]) for r in result.failing_sample] == [(SHANGHAI, 2024, 0)]


def test_a_fall_explained_by_revocations_passes(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    _revoked(warehouse, 15, 2024)
    result = one(warehouse, "eligible_base_drop")
    assert result.passed, result.message
    assert result.observed == pytest.approx((100 - 70 - 15) / 100)


def test_revocations_explain_only_what_they_count(warehouse):
    _shanghai_base(warehouse, {2023: 100, 2024: 70, 2025: 70})
    _revoked(warehouse, 5, 2024)  # 30 fell, 5 explained: 25 % unexplained
    result = one(warehouse, "eligible_base_drop")
    assert_fails(result, "block", 0.25, "eligible_base fell")
    assert [(r["locality_code"], r["year"], r["revoked_in_year"]) for r in result.failing_sample] == [(SHANGHAI, 2024, 5)]


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
        assert_fails(result, "warn", 0.5, "1 locality-year(s) with a filing rate below 80 % after the filing deadline")
        assert (result.failing_sample[0]["locality_code"], result.failing_sample[0]["year"]) == ("320000", 2024)


@pytest.mark.parametrize(
    "as_of, warns",
    [
        (date(2025, 6, 29), False),
        (date(2025, 6, 30), False),  # filings for 2024 are due by the end of 30 June 2025
        (date(2025, 7, 1), True),
        (date(2026, 1, 15), True),
    ],
)
def test_a_low_filing_rate_warns_only_once_the_filing_deadline_has_passed(warehouse, as_of, warns):
    # metrics.md "Policy notes": data year Y is judged only when 30 June of Y + 1 has passed at as_of
    warehouse.execute(
        "UPDATE marts.participation_by_locality_year SET filing_rate = 0.4 WHERE locality_code = '320000' AND year = 2024"
    )
    result = one(warehouse, "filing_rate_low", as_of=as_of)
    assert result.passed is not warns, result.message
    if warns:
        assert result.observed == pytest.approx(0.4)
        assert result.failing_sample[0]["filing_deadline"] == "2025-06-30"
    else:  # the years that are due show their worst rate
        (worst,) = warehouse.execute("SELECT min(filing_rate) FROM marts.participation_by_locality_year "
                                     "WHERE filing_deadline < ?", [as_of]).fetchone()
        assert result.observed == pytest.approx(worst)
    assert "2024" not in (result.failing_sql or "") or "filing_deadline" in result.failing_sql


def test_the_filing_deadline_is_the_marts_filing_deadline(warehouse):
    # a year whose rows say the deadline is later is not judged yet, whatever the date would be by hand
    warehouse.execute(
        "UPDATE marts.participation_by_locality_year SET filing_rate = 0.1, filing_deadline = DATE '2026-12-31' "
        "WHERE year = 2023"
    )
    assert one(warehouse, "filing_rate_low", as_of=date(2026, 12, 31)).passed
    assert_fails(one(warehouse, "filing_rate_low", as_of=date(2027, 1, 1)), "warn", 0.1, "37 locality-year(s)")


def _filings(con, indicator: str, uscc: str, values: dict[int, float | None]) -> None:
    for year, value in values.items():
        con.execute(
            f"UPDATE intermediate.int_filings_latest SET {indicator} = ? WHERE uscc = ? AND data_year = ?",
            [value, uscc, year],
        )


@pytest.mark.parametrize(
    "before, after, fold, passes",
    [
        (2.0, 0.0, 0.4, True),  # a small count falling to 0: 2 < 10 x max(0, 5)
        (0.0, 50.0, 10.0, False),  # from nothing to 50: 50 >= 10 x 5
        (4.0, 40.0, 8.0, True),  # tenfold of a count under min_base: 40 < 10 x 5
        (5.0, 50.0, 10.0, False),  # exactly tenfold from min_base: tenfold
        (50.0, 5.0, 10.0, False),  # a fall to a tenth
        (100.0, 999.0, 9.99, True),
        (7.7, 77.0, 10.0, False),  # tenfold in floating point too
        (None, 500.0, None, True),  # not reported in Y-1: not judged
        (500.0, None, None, True),  # not reported in Y: not judged
    ],
)
def test_the_tenfold_rule_at_its_edges(warehouse, before, after, fold, passes):
    uscc = clean_uscc(SHANGHAI, 2)
    # the earlier years hold `before` too, so the only change is the one of 2025
    _filings(warehouse, "rd_expense", uscc, {2022: before, 2023: before, 2024: before, 2025: after})
    result = one(warehouse, "indicator_tenfold_change")
    if passes:
        assert result.passed, result.message
    else:
        assert_fails(result, "warn", fold, "1 enterprise-year indicator(s) changing tenfold or more year on year")
        row = result.failing_sample[0]
        assert (row["uscc"], row["year"], row["indicator"]) == (uscc, 2025, "rd_expense")
        assert (row["previous_value"], row["value"]) == (before, after)
        assert len(failing_rows(warehouse, result)) == 1
    # the row's own fold change as the check's frame computes it; never infinite
    (spec,) = specs_by_name(["indicator_tenfold_change"])
    frame = plan_for(spec, AS_OF).frame_sql
    folds = warehouse.execute(
        f"SELECT fold_change FROM ({frame}) WHERE uscc = ? AND year = 2025 AND indicator = 'rd_expense'", [uscc]
    ).fetchall()
    assert folds == ([] if fold is None else [(pytest.approx(fold),)])
    assert result.observed is not None and result.observed < float("inf")


def test_the_tenfold_base_comes_from_thresholds(tmp_path, warehouse):
    text = Path(settings.THRESHOLDS_YML).read_text(encoding="utf-8").replace("min_base: 5", "min_base: 2")
    assert "min_base: 2" in text
    (tmp_path / "t.yml").write_text(text, encoding="utf-8")
    _filings(warehouse, "ip_staff", clean_uscc(SHANGHAI, 1), {2023: 4.0, 2024: 40.0})
    assert one(warehouse, "indicator_tenfold_change").passed
    result = one(warehouse, "indicator_tenfold_change", thresholds=tmp_path / "t.yml")
    assert_fails(result, "warn", 10.0, "counted from a base of at least 2")


def test_a_register_locality_flag_warns(warehouse):
    # staging.stg_raw__registers is dbt's view of raw.registers: the flag is set where it is stored
    warehouse.execute(
        "UPDATE raw.registers SET locality_flag = TRUE, locality_code = '440300' WHERE uscc = ?",
        [clean_uscc(SHANGHAI, 3)],
    )
    result = whole(warehouse, "register_locality_mismatch")
    assert_fails(result, "warn", 1, "1 register row(s) whose locality disagrees with their USCC")
    assert result.failing_sample[0]["uscc"] == clean_uscc(SHANGHAI, 3)


def test_a_pilot_listed_by_another_locality_warns(warehouse):
    warehouse.execute(
        "UPDATE marts.fct_pilot_membership SET locality_mismatch = TRUE WHERE locality_code = '500000' AND year IN (2023, 2025) "
        "AND uscc IN (?, ?)", [clean_uscc("500000", 0), clean_uscc("500000", 6)]
    )
    assert_fails(whole(warehouse, "pilot_locality_mismatch"), "warn", 2, "2 pilot row(s) listed by a locality other")


def test_every_indicator_counts_from_min_base_by_default(warehouse):
    """metrics.md: one min_base (5) for every indicator; a pledge loan drawn after a year without one
    is a tenfold change like any other until the evaluators decide otherwise."""
    _filings(warehouse, "ip_pledge_financing", clean_uscc(SHANGHAI, 0), {2022: 0.0, 2023: 0.0, 2024: 0.0, 2025: 1800.0})
    result = one(warehouse, "indicator_tenfold_change")
    assert not result.passed
    assert "ip_pledge_financing" in {r["indicator"] for r in result.failing_sample}


@pytest.mark.parametrize(
    "before, after, passes",
    [
        (0.0, 1800.0, True),  # a pledge loan drawn after a year without one: from 0, judged from 1000 万元
        (0.0, 18_000_000.0, False),  # the same loan typed in 元
        (1000.0, 10000.0, False),  # tenfold from the indicator's base
        (900.0, 9000.0, True),  # tenfold, but from below its base: 9000 < 10 x 1000
        (5.0, 50.0, True),  # the default base of 5 does not apply to it
    ],
)
def test_an_indicator_can_count_from_its_own_base(tmp_path, warehouse, before, after, passes):
    """The optional per-indicator base (not set in thresholds.yml: metrics.md has one min_base)."""
    text = Path(settings.THRESHOLDS_YML).read_text(encoding="utf-8")
    assert "min_base_by_indicator: {" not in text  # the spec's rule, to the letter, by default
    text = text.replace("      min_base: 5\n", "      min_base: 5\n      min_base_by_indicator: {ip_pledge_financing: 1000}\n")
    (tmp_path / "t.yml").write_text(text, encoding="utf-8")
    uscc = clean_uscc(SHANGHAI, 0)
    _filings(warehouse, "ip_pledge_financing", uscc, {2022: before, 2023: before, 2024: before, 2025: after})
    result = one(warehouse, "indicator_tenfold_change", thresholds=tmp_path / "t.yml")
    assert result.passed is passes, result.message
    # a count keeps the base of 5: 0 -> 50 warns
    _filings(warehouse, "invention_grants", uscc, {2022: 0.0, 2023: 0.0, 2024: 0.0, 2025: 50.0})
    again = one(warehouse, "indicator_tenfold_change", thresholds=tmp_path / "t.yml")
    assert not again.passed
    assert ("invention_grants" in {r["indicator"] for r in again.failing_sample})


# ---- errors count as failures --------------------------------------------------------------------


def test_a_missing_column_inside_gx_validation_counts_as_failed(warehouse):
    warehouse.execute("ALTER TABLE marts.coverage_by_locality_year DROP COLUMN batch_ratio")
    results = {r.name: r for r in run_checks(warehouse, "run-err", as_of=AS_OF, names=["coverage_ratios_in_range", "coverage_key_unique"],
                                             thresholds=WHOLE_TABLE)}
    broken = results["coverage_ratios_in_range"]
    assert not broken.passed and broken.severity == "block"
    assert "batch_ratio" in broken.error and "BatchData" in broken.error  # raised inside GX, not DuckDB
    assert "could not be evaluated" in broken.message and broken.table in broken.message
    assert str(broken.observed).startswith("error:")
    assert results["coverage_key_unique"].passed  # same frame, unaffected rule
    assert blocking_failures(list(results.values())) == [broken]


def test_a_missing_table_counts_as_failed(warehouse):
    warehouse.execute("DROP TABLE marts.national_summary")
    results = run_checks(warehouse, "run-err", as_of=AS_OF, names=["national_summary_key_unique", "national_ratios_in_range"],
                         thresholds=WHOLE_TABLE)
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
    names = ["register_locality_mismatch", "coverage_ratios_in_range", "pilot_locality_mismatch"]
    warehouse.execute("UPDATE marts.coverage_by_locality_year SET batch_ratio = 2 WHERE year = 2025")
    run_checks(warehouse, "run-a", as_of=AS_OF, names=names, thresholds=WHOLE_TABLE)
    run_checks(warehouse, "run-a", as_of=AS_OF, names=names, thresholds=WHOLE_TABLE)  # a retry replaces, not duplicates
    run_checks(warehouse, "run-b", as_of=AS_OF, names=names[1:2], thresholds=WHOLE_TABLE)
    counts = dict(warehouse.execute("SELECT run_id, count(*) FROM audit.check_results WHERE run_id LIKE 'run-%' "
                                    "GROUP BY run_id").fetchall())
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
    warehouse.execute("UPDATE intermediate.int_filings_latest SET revenue = revenue * 30 WHERE data_year = 2024")
    _shanghai_base(warehouse, {2023: 100, 2024: 50, 2025: 10})
    warehouse.execute(
        "UPDATE marts.coverage_by_locality_year SET has_list = FALSE, list_submitted_on = NULL, list_on_time = NULL "
        "WHERE year = 2025 AND locality_code > '600000'"
    )
    results = run_checks(warehouse, "run-sql", as_of=AS_OF) + run_checks(warehouse, "run-sql", as_of=AS_OF, thresholds=WHOLE_TABLE)
    results = [r for r in results if not r.passed]
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
