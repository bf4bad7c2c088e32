"""The gates of metrics.md through the real pipeline (`pilotdw run`): warn checks never block, block
checks stop publication and leave the published warehouse and reports byte-identical; mart-level
block checks that correct models cannot trip from input are tripped in a copy of a real build, and
the publish step is shown to refuse it on its own (dagster issue 25112)."""
from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

import duckdb
import pytest

from tests.e2e.conftest import Run, pilotdw, run_pipeline
from tests.e2e.crafted import LOCALITIES, build_clean_landing

pytestmark = pytest.mark.slow


def published_state(home: Path) -> dict[str, str]:
    """SHA-256 of the published warehouse and of every published report file."""
    state = {"warehouse.duckdb": hashlib.sha256((home / "warehouse.duckdb").read_bytes()).hexdigest()}
    reports = (home / "reports").resolve()
    for path in sorted(reports.rglob("*")):
        if path.is_file():
            state[str(path.relative_to(reports))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return state


def failed_checks(run: Run, db: Path | None = None) -> dict[str, str]:
    """check → severity of the failed checks recorded by the newest build in the home."""
    db = db or newest_build(run.home)
    with duckdb.connect(str(db), read_only=True) as con:
        return dict(con.execute('SELECT "check", severity FROM audit.check_results WHERE NOT passed').fetchall())


def newest_build(home: Path) -> Path:
    return max((home / "builds").glob("*.duckdb"), key=lambda p: p.stat().st_mtime)


@pytest.fixture(scope="module")
def story(tmp_path_factory):
    """One home through four runs: clean with warnings → broken input → withdrawn → nothing new."""
    base = tmp_path_factory.mktemp("gates")
    landing, home = base / "landing", base / "home"
    build_clean_landing(landing)
    first = run_pipeline(landing, home)
    after_first = published_state(home) if first.returncode == 0 else {}
    first_failed = failed_checks(first) if first.returncode == 0 else {}
    first_build = shutil.copy(newest_build(home), base / "first_build.duckdb")

    (landing / "registers" / "说明.pdf").write_bytes(b"%PDF-1.4 a scanned cover letter")
    bad = ["统一社会信用代码,数据年度,营业收入"] + [f"91310000BADCODE{i:03d},2024,{i}" for i in range(20)]
    (landing / "filings" / "late_corrections.csv").write_text("\n".join(bad) + "\n", encoding="utf-8")
    blocked = run_pipeline(landing, home)
    after_blocked = published_state(home)

    for path in ("registers/说明.pdf", "filings/late_corrections.csv"):
        assert pilotdw("withdraw", path, "--reason", "not a submission", "--home", str(home)).returncode == 0
    recovered = run_pipeline(landing, home)
    unchanged = run_pipeline(landing, home)
    return {"first": first, "after_first": after_first, "first_failed": first_failed, "first_build": Path(first_build),
            "blocked": blocked, "after_blocked": after_blocked, "recovered": recovered, "unchanged": unchanged, "home": home,
            "landing": landing}


def test_clean_input_publishes_despite_warnings(story):
    first = story["first"]
    assert first.returncode == 0, first.stdout + first.stderr
    assert "Published:" in first.stdout
    assert (story["home"] / "warehouse.duckdb").exists()
    assert all(sev == "warn" for sev in story["first_failed"].values()), story["first_failed"]


MISMATCH_TEST = "dbt:test.pilotdw.expression_is_true_fct_pilot_membership_not_locality_mismatch"


@pytest.mark.parametrize("check", ["pilot_unmatched_share", MISMATCH_TEST, "filing_rate_low", "indicator_tenfold_change", "pilot_list_deadline"])
def test_each_warn_gate_fires_on_its_crafted_input_and_does_not_block(story, check):
    failed = {name: severity for name, severity in story["first_failed"].items() if name.startswith(check)}
    assert list(failed.values()) == ["warn"], story["first_failed"]
    first = story["first"]
    assert f"[warn] {check}" in first.stdout


def test_a_locality_mismatch_is_reported_once(story):
    # one fact, one door (docs/quality-gates.md): the dbt test on fct_pilot_membership, not also a GX check
    flagged = [name for name in story["first_failed"] if "locality_mismatch" in name]
    assert len(flagged) == 1, story["first_failed"]
    assert story["first"].stdout.count("locality_mismatch") >= 1
    assert story["first"].stdout.count("[warn] ") == len(story["first_failed"])


def test_warnings_are_in_the_published_warehouse(story):
    with duckdb.connect(str(story["home"] / "warehouse.duckdb"), read_only=True) as con:
        unmatched = con.execute(
            "SELECT unmatched_pilots FROM marts.coverage_by_locality_year WHERE locality_code = '310000' AND year = 2023"
        ).fetchall()
        mismatch = con.execute("SELECT count(*) FROM marts.fct_pilot_membership WHERE locality_mismatch").fetchall()
    assert unmatched == [(2,)] and mismatch == [(1,)]


def test_a_rejected_file_and_heavy_quarantine_block_and_change_nothing(story):
    blocked = story["blocked"]
    assert blocked.returncode == 1, blocked.stdout + blocked.stderr
    assert story["after_blocked"] == story["after_first"]  # byte-identical warehouse and reports
    out = blocked.stdout
    assert "registers/说明.pdf" in out and "unsupported file type '.pdf'" in out
    assert "[block] source_files_rejected" in out and "[block] quarantine_share" in out
    assert "filings/late_corrections.csv, row 2, column uscc" in out  # the first failing rows, by file/row/column
    assert "NOT published" in out
    runs = list((story["home"] / "runs").glob("*.md"))
    assert any("[block] source_files_rejected" in p.read_text(encoding="utf-8") for p in runs)


def test_withdrawing_the_bad_files_publishes_again(story):
    recovered = story["recovered"]
    assert recovered.returncode == 0, recovered.stdout + recovered.stderr
    assert "withdrawn by an operator" in duckdb.connect(str(story["home"] / "warehouse.duckdb"), read_only=True).execute(
        "SELECT string_agg(reason, ' ') FROM audit.loads WHERE status = 'superseded'").fetchall()[0][0]


def test_nothing_landed_means_nothing_rebuilt(story):
    unchanged = story["unchanged"]
    assert unchanged.returncode == 0, unchanged.stdout + unchanged.stderr
    assert "Nothing landed" in unchanged.stdout
    assert "dbt_models" not in unchanged.stdout  # the run stopped after archiving
    # answered before the job starts (issue 17: nothing landed ≤ 5 s): no Dagster step ran
    import json
    run_id = unchanged.stdout.split("# pilotdw run ", 1)[1].split()[0]
    record = json.loads((unchanged.home / "runs" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert record["status"] == "unchanged" and list(record["step_seconds"]) == ["landing_check"]


def test_a_touched_but_unchanged_file_goes_through_the_job_and_still_changes_nothing(story):
    """A new modification time is not new content: the quick check cannot tell without hashing, so
    the job archives (nothing: same bytes), finds the published fingerprint and stops."""
    import json
    import os

    before = published_state(story["home"])
    some = sorted((story["landing"] / "pilots").iterdir())[0]
    os.utime(some, ns=(some.stat().st_atime_ns, some.stat().st_mtime_ns + 10**9))
    again = run_pipeline(story["landing"], story["home"])
    assert again.returncode == 0 and "Nothing landed" in again.stdout, again.stdout + again.stderr
    run_id = again.stdout.split("# pilotdw run ", 1)[1].split()[0]
    record = json.loads((story["home"] / "runs" / f"{run_id}.json").read_text(encoding="utf-8"))
    assert "landing_archive" in record["step_seconds"] and "raw_layer" not in record["step_seconds"]
    assert published_state(story["home"]) == before


def test_score_out_of_range_in_input_is_quarantined_not_published(story):
    # A score of 105 never reaches the marts: it is quarantined at ingest (and counted by quarantine_share).
    with duckdb.connect(str(story["first_build"]), read_only=True) as con:
        assert con.execute("SELECT max(total_score) <= 100 FROM raw.assessments").fetchall() == [(True,)]


def _dbt_tests_of(build: Path, run_id: str, select: str) -> dict:
    """`dbt test --select` on a copy of a build, its results recorded as the dbt step records them."""
    import json
    import os
    import subprocess
    import sys

    from pilotdw import settings
    from pilotdw.expectations.gates import record_dbt_results

    target = build.parent / "dbt_target"
    env = {**os.environ, "PILOTDW_DB_PATH": str(build), "DO_NOT_TRACK": "1"}
    subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "test", "--select", select, "--project-dir", str(settings.DBT_PROJECT_DIR),
         "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--target", "build", "--target-path", str(target),
         "--log-path", str(build.parent / "dbt_logs")],
        env=env, capture_output=True, text=True, timeout=600,
    )
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(build)) as con:
        results = record_dbt_results(con, json.loads((target / "run_results.json").read_text(encoding="utf-8")), run_id,
                                     manifest=manifest)
    return {r.name: r for r in results}


@pytest.mark.parametrize(
    "check,tamper",
    [
        # a key or a range of a mart is a dbt test (docs/quality-gates.md, "Which door"): its failure
        # reaches audit.check_results as a block check, which the publish step reads
        ("dbt:test.pilotdw.unique_combination_of_columns_coverage_by_locality_year_",
         "INSERT INTO marts.coverage_by_locality_year SELECT * FROM marts.coverage_by_locality_year LIMIT 1"),
        ("dbt:test.pilotdw.accepted_range_coverage_by_locality_year_batch_ratio",
         "UPDATE marts.coverage_by_locality_year SET batch_ratio = 1.5 WHERE locality_code = '310000' AND year = 2023"),
        ("dbt:test.pilotdw.accepted_range_enterprise_improvement_latest_score",
         "UPDATE marts.enterprise_improvement SET latest_score = 105 WHERE uscc = (SELECT min(uscc) FROM marts.enterprise_improvement)"),
        ("eligible_base_drop", "UPDATE marts.coverage_by_locality_year SET eligible_base = 1 WHERE locality_code = '110000' AND year = 2024"),
    ],
)
def test_mart_block_gates_stop_the_publish_step_itself(story, tmp_path, check, tamper):
    """A tampered copy of a real build, then only the publish asset is run (as a later run that
    selects just a downstream asset would be): it must refuse, and the warehouse must not move."""
    import dagster as dg

    from pilotdw.expectations.gates import run_checks
    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.resources import PilotdwHome

    home = tmp_path / "home"
    (home / "builds").mkdir(parents=True)
    (home / "warehouse.duckdb").write_bytes(b"the last published warehouse")
    run_id = "0f0f0f0f-0000-4000-8000-00000000abcd"
    build = home / "builds" / f"{run_id}.duckdb"
    shutil.copy(story["first_build"], build)
    with duckdb.connect(str(build)) as con:
        con.execute(tamper)
        results = {r.name: r for r in run_checks(con, run_id)}
    if check.startswith("dbt:"):
        recorded = _dbt_tests_of(build, run_id, "coverage_by_locality_year enterprise_improvement")
        (check,) = [name for name in recorded if name.startswith(check)]
        results.update(recorded)
    assert not results[check].passed and results[check].severity == "block"
    assert results[check].failing_sql and duckdb.connect(str(build), read_only=True).execute(results[check].failing_sql).fetchall()

    pilotdw_home = PilotdwHome(landing=str(tmp_path / "landing"), home=str(home), quiet=True)
    job = build_definitions(pilotdw_home).resolve_job_def("nightly_refresh")
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_id=run_id, raise_on_error=False,
        asset_selection=[dg.AssetKey(["published_warehouse"])],
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert "PublicationBlocked" in failure.event_specific_data.error.to_string() or "block checks failed" in failure.event_specific_data.error.to_string()
    assert check in failure.event_specific_data.error.to_string()
    assert (home / "warehouse.duckdb").read_bytes() == b"the last published warehouse"


def test_every_locality_of_the_crafted_landing_is_covered(story):
    with duckdb.connect(str(story["home"] / "warehouse.duckdb"), read_only=True) as con:
        got = dict(con.execute(
            "SELECT locality_code, batch_eligible_pilots FROM marts.coverage_by_locality_year WHERE year = 2023 AND batch_pilots > 0"
        ).fetchall())
    assert set(got) == set(LOCALITIES)
    assert got["310000"] == 12 and got["440300"] == 12
    assert got["110000"] == 12  # the Shanghai enterprise on Beijing's list is not in Beijing's eligible base


def test_a_failing_dbt_error_test_stops_the_run_and_publishes_nothing(story, tmp_path):
    """dbt tests are not Dagster asset checks (issue 7: 209 checks cost ~12 s of event logging a
    night), so the dbt step itself must stop the run when an error-severity test fails: here a score
    of 150 slipped into a copy of a real build's raw layer trips stg_raw__assessments' range test."""
    import dagster as dg

    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.resources import PilotdwHome

    home = tmp_path / "home"
    (home / "builds").mkdir(parents=True)
    (home / "warehouse.duckdb").write_bytes(b"the last published warehouse")
    run_id = "0f0f0f0f-0000-4000-8000-00000000dbdb"
    build = home / "builds" / f"{run_id}.duckdb"
    shutil.copy(story["first_build"], build)
    with duckdb.connect(str(build)) as con:
        con.execute("DELETE FROM audit.check_results")
        con.execute("UPDATE raw.assessments SET total_score = 150 WHERE rowid = (SELECT min(rowid) FROM raw.assessments)")

    defs = build_definitions(PilotdwHome(landing=str(tmp_path / "landing"), home=str(home), quiet=True))
    job = defs.resolve_job_def("nightly_refresh")
    graph = defs.resolve_asset_graph()
    downstream = [k for k in graph.get_all_asset_keys() if k.path[0] not in ("raw", "audit", "landing_archive")]
    result = job.execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_id=run_id, raise_on_error=False, asset_selection=downstream,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "dbt_models" and "blocking test(s) failed" in failure.event_specific_data.error.to_string()
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    assert dg.AssetKey(["reports"]) not in materialized and dg.AssetKey(["published_warehouse"]) not in materialized
    with duckdb.connect(str(build), read_only=True) as con:
        failed = con.execute('SELECT "check" FROM audit.check_results WHERE NOT passed AND severity = \'block\'').fetchall()
    assert any("accepted_range" in c and "stg_raw__assessments" in c for (c,) in failed), failed
    assert (home / "warehouse.duckdb").read_bytes() == b"the last published warehouse"
    from pilotdw.orchestration.outcome import RunFacts, settle
    facts = RunFacts.of_events(result.all_events, succeeded=result.success)
    pilotdw = PilotdwHome(landing=str(tmp_path / "landing"), home=str(home), quiet=True)
    assert settle(pilotdw, run_id, facts) == ("blocked", "a blocking quality gate failed")  # not a crash


def test_a_model_that_cannot_be_built_fails_the_run_not_a_gate(story, tmp_path):
    """A dbt model that errors (here: a raw column gone, as a broken migration or out of memory would
    leave it) stops the run too, and the runner calls it failed (exit 2), not blocked by a gate."""
    import dagster as dg

    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.resources import PilotdwHome
    from pilotdw.orchestration.outcome import RunFacts, settle

    home = tmp_path / "home"
    (home / "builds").mkdir(parents=True)
    run_id = "0f0f0f0f-0000-4000-8000-0000000de1de"
    build = home / "builds" / f"{run_id}.duckdb"
    shutil.copy(story["first_build"], build)
    with duckdb.connect(str(build)) as con:
        con.execute("DROP VIEW IF EXISTS staging.stg_raw__filings")
        con.execute("ALTER TABLE raw.filings DROP COLUMN revenue")

    defs = build_definitions(PilotdwHome(landing=str(tmp_path / "landing"), home=str(home), quiet=True))
    graph = defs.resolve_asset_graph()
    downstream = [k for k in graph.get_all_asset_keys() if k.path[0] not in ("raw", "audit", "landing_archive")]
    result = defs.resolve_job_def("nightly_refresh").execute_in_process(
        instance=dg.DagsterInstance.ephemeral(), run_id=run_id, raise_on_error=False, asset_selection=downstream,
        run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
    )
    assert not result.success
    failure = next(e for e in result.all_events if e.is_step_failure)
    assert failure.step_key == "dbt_models" and "stg_raw__filings" in failure.event_specific_data.error.to_string()
    facts = RunFacts.of_events(result.all_events, succeeded=result.success)
    assert facts.models_not_built >= 1
    status, error = settle(PilotdwHome(landing=str(tmp_path / "landing"), home=str(home), quiet=True), run_id, facts)
    assert status == "failed" and error.startswith("dbt_models:"), error
