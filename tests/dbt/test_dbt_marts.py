"""The real dbt project, built once on a small raw layer with a known truth (dbt_fixture_truth),
against figures computed independently in pandas (dbt_expected_marts)."""
from __future__ import annotations

import json
import math
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import duckdb
import pandas as pd
import pytest

import dbt_expected_marts as expected
import dbt_fixture_truth as fx
from pilotdw.settings import DBT_PROJECT_DIR, PROJECT_ROOT, RAW_SCHEMA_SQL, indicators, localities

SPEC_METRICS = Path(os.environ.get("PILOTDW_SPEC_DIR", "/work/shared/spec")) / "metrics.md"

# The public interface of metrics.md, transcribed: every mart and the columns it names.
# (test_transcription_matches_spec re-reads the spec, when present, to catch drift.)
METRICS_COLUMNS = {
    "coverage_by_locality_year": [
        "locality_code", "locality_name", "year", "eligible_base", "batch_pilots", "batch_eligible_pilots",
        "batch_ratio", "meets_batch_target", "cumulative_eligible_pilots", "cumulative_coverage",
        "target_coverage", "on_track", "non_eligible_pilots", "unmatched_pilots", "repeat_pilots",
        "list_submitted_on",
    ],
    "fct_pilot_membership": ["match_status", "locality_mismatch"],
    "participation_by_locality_year": [
        "locality_code", "year", "cumulative_pilots", "assessed_initial", "filed", "graded",
        "initial_assessment_rate", "filing_rate", "graded_rate",
    ],
    "enterprise_improvement": [
        "uscc", "locality_code", "cohort_year", "year", "baseline_score", "latest_score", "score_delta",
        "improved", "latest_grade", "foundation_score", "strategy_score", "process_score", "results_score",
        *[f"{indicator}_yoy" for indicator in indicators()],
    ],
    "regional_effectiveness": [
        "locality_code", "year", "pilots_with_delta", "mean_score_delta", "median_score_delta",
        "share_improved", "filing_rate", "cumulative_coverage", "hvp_per_pilot", "hvp_growth",
        "effectiveness_index", "rank",
    ],
    "national_summary": [
        "year", "localities_with_lists", "eligible_base", "batch_pilots", "cumulative_eligible_pilots",
        "cumulative_coverage", "localities_on_track", "localities_meeting_batch_target", "filing_rate",
        "mean_score_delta", "share_improved",
    ],
}
MARTS = [*METRICS_COLUMNS, "dim_locality", "dim_enterprise", "enterprise_status_by_year"]


@dataclass(frozen=True)
class DbtBuild:
    db_path: Path
    returncode: int
    output: str
    run_results: dict
    seconds: float

    def table(self, name: str) -> pd.DataFrame:
        with duckdb.connect(str(self.db_path), read_only=True) as con:
            return con.sql(f"select * from {name}").df()


def _dbt_command() -> list[str]:
    candidate = Path(sys.executable).with_name("dbt")
    return [str(candidate)] if candidate.exists() else [sys.executable, "-m", "dbt.cli.main"]


@pytest.fixture(scope="module")
def build(tmp_path_factory) -> DbtBuild:
    """The fixture loaded into a fresh DuckDB file and `dbt build` run on it, once for the module."""
    work = tmp_path_factory.mktemp("dbt_build")
    db_path = work / "warehouse.duckdb"
    with duckdb.connect(str(db_path)) as con:
        con.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
        fx.insert_fixture(con)
    env = {
        **os.environ,
        "PILOTDW_DB_PATH": str(db_path),
        "DO_NOT_TRACK": "1",
        "PILOTDW_P0": str(fx.P0),
        "PILOTDW_P1": str(fx.P1),
    }
    command = _dbt_command() + [
        "build",
        "--project-dir", str(DBT_PROJECT_DIR),
        "--profiles-dir", str(DBT_PROJECT_DIR),
        "--target-path", str(work / "target"),  # leaves the project's own target/manifest alone
        "--log-path", str(work / "logs"),
    ]
    started = time.perf_counter()
    proc = subprocess.run(command, env=env, capture_output=True, text=True, timeout=600)
    seconds = time.perf_counter() - started
    results_file = work / "target" / "run_results.json"
    run_results = json.loads(results_file.read_text()) if results_file.exists() else {}
    return DbtBuild(db_path, proc.returncode, proc.stdout + proc.stderr, run_results, seconds)


def _same(actual, wanted) -> bool:
    missing_a = actual is None or (not isinstance(actual, (list, tuple)) and pd.isna(actual))
    missing_w = wanted is None or (not isinstance(wanted, (list, tuple)) and pd.isna(wanted))
    if missing_a or missing_w:
        return missing_a and missing_w
    if isinstance(wanted, float) or isinstance(actual, float):
        return math.isclose(float(actual), float(wanted), rel_tol=1e-9, abs_tol=1e-9)
    if isinstance(actual, pd.Timestamp):
        actual = actual.date()
    return actual == wanted


def _compare(actual: pd.DataFrame, wanted: pd.DataFrame, what: str) -> None:
    problems = []
    for key, row in wanted.iterrows():
        if key not in actual.index:
            problems.append(f"{what} {key}: row missing")
            continue
        for column, value in row.items():
            got = actual.loc[key, column]
            got = got.item() if hasattr(got, "item") else got
            if not _same(got, value):
                problems.append(f"{what} {key} {column}: mart {got!r}, expected {value!r}")
    assert not problems, "\n".join(problems)


def test_dbt_build_succeeds_with_unit_tests(build):
    assert build.returncode == 0, build.output[-6000:]
    results = build.run_results["results"]
    failed = [r["unique_id"] for r in results if r["status"] not in ("success", "pass", "warn")]
    assert not failed, failed
    # the fixture holds a cross-locality pilot and an enterprise registered in two localities:
    # the review warnings for both must fire, and nothing else may warn
    warned = sorted(r["unique_id"].split(".")[2] for r in results if r["status"] == "warn")
    assert warned == [
        "expression_is_true_fct_pilot_membership_not_locality_mismatch",
        "expression_is_true_int_enterprises_not_has_conflicting_localities",
    ]
    unit_tests = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit_tests) >= 6, "the unit tests of the tricky rules must run in dbt build"
    assert build.seconds < 120


def test_models_land_in_exact_schemas(build):
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        tables = con.sql("select table_schema, table_name from information_schema.tables").fetchall()
    marts = {name for schema, name in tables if schema == "marts"}
    assert set(MARTS) <= marts
    schemas = {schema for schema, _ in tables}
    assert {"staging", "intermediate", "marts"} <= schemas
    assert not any(schema.startswith("main_") for schema in schemas)


@pytest.mark.parametrize("mart", list(METRICS_COLUMNS))
def test_every_metrics_md_column_exists(build, mart):
    columns = set(build.table(f"marts.{mart}").columns)
    missing = [c for c in METRICS_COLUMNS[mart] if c not in columns]
    assert not missing, f"marts.{mart} lacks {missing}"


def _spec_columns(text: str) -> dict[str, set[str]]:
    """Columns each `marts.X` section of metrics.md names: first cells of its table, and the
    backticked list of the national summary."""
    found: dict[str, set[str]] = {}
    mart = None
    for line in text.splitlines():
        heading = re.match(r"^##\s.*`marts\.(\w+)`", line)
        if heading:
            mart = heading.group(1)
            found.setdefault(mart, set())
            continue
        if line.startswith("## "):
            mart = None
        if mart is None:
            continue
        if line.startswith("|") and not re.match(r"^\|\s*(column|-)", line):
            cell = line.split("|")[1]
            for name in cell.split(","):
                name = re.sub(r"\(.*?\)", "", name).strip().strip("`")  # "cohort_year (first pilot year)"
                if name == "*indicator*_yoy":
                    found[mart] |= {f"{i}_yoy" for i in indicators()}
                elif name:
                    found[mart].add(name)
        elif line.startswith("One row per year:"):
            found[mart] |= set(re.findall(r"`(\w+)`", line))
    if "coverage_by_locality_year" in text:
        found.setdefault("fct_pilot_membership", set()).add("locality_mismatch")
    return found


def test_transcription_matches_spec():
    if not SPEC_METRICS.exists():
        pytest.skip(f"spec not available at {SPEC_METRICS}")
    spec = _spec_columns(SPEC_METRICS.read_text(encoding="utf-8"))
    assert set(spec) - {"fct_pilot_membership"} == set(METRICS_COLUMNS) - {"fct_pilot_membership"}
    for mart, names in spec.items():
        assert names <= set(METRICS_COLUMNS[mart]), f"{mart}: {sorted(names - set(METRICS_COLUMNS[mart]))}"


def test_docs_document_every_mart_and_the_index_formula():
    docs = (PROJECT_ROOT / "docs" / "metrics.md").read_text(encoding="utf-8")
    for mart in MARTS:
        assert f"marts.{mart}" in docs, mart
    for weight in ("0.30", "0.15", "0.20"):
        assert weight in docs


def test_pilot_membership_matches_truth(build):
    mart = build.table("marts.fct_pilot_membership").set_index(["source_file", "source_row_number"])
    truth = expected.pilot_rows()
    assert len(mart) == len(truth), "superseded list rows must be gone, every current row kept"
    wanted = truth.set_index(["source_file", "row_number"])[["status", "uscc", "mismatch", "locality_code"]]
    wanted = wanted.rename(columns={"status": "match_status", "mismatch": "locality_mismatch"})
    wanted.index.names = ["source_file", "source_row_number"]
    _compare(mart, wanted, "fct_pilot_membership")


def test_coverage_matches_truth(build):
    mart = build.table("marts.coverage_by_locality_year")
    years = expected.years()
    assert years == [2023, 2024, 2025]
    assert len(mart) == len(localities()) * len(years)
    mart = mart.set_index(["locality_code", "year"]).sort_index()
    _compare(mart, expected.coverage(), "coverage")
    quiet = mart[~mart.index.get_level_values(0).isin([fx.SH, fx.ZJ, fx.NB, fx.BJ])]
    assert (quiet.eligible_base == 0).all() and (quiet.batch_pilots == 0).all()
    assert quiet.batch_ratio.isna().all() and quiet.list_submitted_on.isna().all()
    assert quiet.list_on_time.isna().all() and quiet.list_deadline.notna().all()


def test_coverage_spot_checks(build):
    """A few figures worked out by hand, so a shared misreading in both SQL and pandas shows up."""
    mart = build.table("marts.coverage_by_locality_year").set_index(["locality_code", "year"])
    sh23, sh24, sh25 = (mart.loc[(fx.SH, y)] for y in (2023, 2024, 2025))
    # Shanghai 2023: S1 S2 S3 S5 S7 S10 + hospital + same-name = 8 pilots; S4 withdrawn by the
    # resubmitted list; eligible S1..S7, S9, S11..S15 (S8 from 2024, S10 revoked 2023) = 13
    assert (sh23.batch_pilots, sh23.eligible_base, sh23.batch_eligible_pilots) == (8, 13, 5)
    assert sh23.unmatched_pilots == 2 and sh23.non_eligible_pilots == 3
    assert sh23.list_submitted_on.date() == date(2023, 9, 1)
    # 2024: S7 revoked (eligible no more), S8 recognised, Z2 from Zhejiang counts here but not as eligible
    assert (sh24.batch_pilots, sh24.eligible_base, sh24.batch_eligible_pilots) == (7, 13, 4)
    assert sh24.repeat_pilots == 3  # S1, S7, the hospital (by name)
    # 2025: S15's revocation in a later register file is not masked by its stale duplicate row
    assert sh25.eligible_base == 12 and pd.isna(sh25.list_submitted_on)
    # list deadlines: 30 June in P0, 31 March after. Shanghai's first batch of 2023 (20 June) was in
    # time, so its later second batch (1 Sept, the latest date) does not make the year late; its
    # 2025 list gives no date and counts as on time; Zhejiang's only 2024 list came on 1 April.
    assert sh23.list_deadline.date() == date(2023, 6, 30) and sh23.list_on_time == True  # noqa: E712
    assert sh24.list_deadline.date() == date(2024, 3, 31) and sh24.list_on_time == True  # noqa: E712
    assert sh25.list_on_time == True  # noqa: E712
    assert mart.loc[(fx.ZJ, 2024)].list_on_time == False  # noqa: E712
    assert pd.isna(mart.loc[(fx.NB, 2023)].list_on_time)  # no list in 2023
    nb24 = mart.loc[(fx.NB, 2024)]
    assert nb24.repeat_pilots == 0  # N1 was in Zhejiang's 2023 list, not Ningbo's
    assert nb24.eligible_base == 5  # N1..N4 and Z5, whose latest recognition is in Ningbo


def test_one_pilot_written_several_ways_counts_once(build):
    """Zhejiang's unregistered lab is typed （杭州） in 2023, (杭州) and "(杭州) " with spaces in 2024;
    Z1 is given with its USCC under a spaced name in 2024. Each is one pilot in every count and one
    cohort member per year — worked out by hand, not from the pandas model."""
    lab_key = "name:浙江精测检测技术(杭州)研究院"
    with duckdb.connect(str(build.db_path), read_only=True) as con:
        split = con.sql(
            "select locality_code, year, pilot_key from intermediate.int_pilot_cohort_years"
            " group by all having count(*) > 1"
        ).fetchall()
        lab_rows = con.sql(
            f"select distinct pilot_key from marts.fct_pilot_membership where pilot_key = '{lab_key}'"
            " or pilot_name like '浙江精测%'"
        ).fetchall()
    assert split == []
    assert lab_rows == [(lab_key,)]
    coverage = build.table("marts.coverage_by_locality_year").set_index(["locality_code", "year"])
    zj23, zj24 = coverage.loc[(fx.ZJ, 2023)], coverage.loc[(fx.ZJ, 2024)]
    # 2023: Z1 Z2 N1 Z5 + the lab; 2024: Z3 Z4 Z1 + the lab (two rows), Z1 and the lab repeats
    assert (zj23.batch_pilots, zj23.unmatched_pilots) == (5, 1)
    assert (zj24.batch_pilots, zj24.unmatched_pilots, zj24.repeat_pilots) == (4, 1, 2)
    participation = build.table("marts.participation_by_locality_year").set_index(["locality_code", "year"])
    assert [participation.loc[(fx.ZJ, y)].cumulative_pilots for y in (2023, 2024, 2025)] == [5, 7, 7]
    status = build.table("marts.enterprise_status_by_year")
    lab = status[status.pilot_key == lab_key].set_index("year").sort_index()
    assert list(lab.index) == [2023, 2024, 2025]
    # the name as written on the latest row up to Y: 2024's last row is the spaced one
    assert list(lab.name) == [fx.LAB_2023, fx.LAB_2024_SPACED, fx.LAB_2024_SPACED]
    z1 = status[(status.pilot_key == fx.ENTERPRISES["Z1"].uscc) & (status.locality_code == fx.ZJ)]
    assert len(z1) == 3 and set(z1.name) == {fx.ENTERPRISES["Z1"].name}


def test_participation_matches_truth(build):
    mart = build.table("marts.participation_by_locality_year").set_index(["locality_code", "year"]).sort_index()
    _compare(mart, expected.participation(), "participation")


def test_improvement_matches_truth(build):
    mart = build.table("marts.enterprise_improvement").set_index(["uscc", "year"]).sort_index()
    wanted = expected.improvement().drop(columns=["filed", "hvp"])
    assert len(mart) == len(wanted)
    _compare(mart, wanted, "enterprise_improvement")
    s1, s2 = fx.ENTERPRISES["S1"].uscc, fx.ENTERPRISES["S2"].uscc
    assert mart.loc[(s1, 2024)].latest_score == 75.0  # graded outranks annual on the same day
    assert mart.loc[(s2, 2023)].score_delta == -5.0  # annual after initial on the same day
    assert mart.loc[(fx.ENTERPRISES["Z1"].uscc, 2023)].baseline_score == 52.0  # same-day correction


def test_regional_effectiveness_matches_truth(build):
    mart = build.table("marts.regional_effectiveness")
    assert len(mart) == (len(localities()) + 1) * len(expected.years())
    mart = mart.set_index(["locality_code", "year"]).sort_index()
    _compare(mart, expected.effectiveness(), "regional_effectiveness")
    national = mart.xs("000000", level="locality_code")
    assert national["rank"].isna().all()
    for year in expected.years():
        ranked = mart.xs(year, level="year").drop(index="000000").dropna(subset=["effectiveness_index"])
        wanted = ranked.effectiveness_index.rank(method="min", ascending=False).astype(int)
        assert (ranked["rank"].astype(int) == wanted).all(), year


def test_national_summary_matches_truth(build):
    mart = build.table("marts.national_summary").set_index("year").sort_index()
    assert list(mart.index) == expected.years()
    _compare(mart, expected.national_summary(), "national_summary")


def test_enterprise_status_matches_truth(build):
    mart = build.table("marts.enterprise_status_by_year").set_index(["locality_code", "year", "pilot_key"]).sort_index()
    wanted = expected.enterprise_status()
    assert len(mart) == len(wanted)
    _compare(mart, wanted, "enterprise_status_by_year")
