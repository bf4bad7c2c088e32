"""Execute the nightly job in-process — the same job the schedule and the sensor launch — and turn
its outcome into a summary, a file under <home>/runs, a notification, and an exit status."""
from __future__ import annotations

import fcntl
import os
from contextlib import contextmanager
from pathlib import Path

from pilotdw import settings
from pilotdw.orchestration.summary import RunSummary, summarise


class HomeBusy(Exception):
    """Another pilotdw run holds this home: one writer at a time."""


@contextmanager
def home_lock(home: Path):
    """An exclusive lock on <home>/.lock for the length of a run (released if the process dies)."""
    home.mkdir(parents=True, exist_ok=True)
    with (home / ".lock").open("w") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise HomeBusy(f"another pilotdw run is using {home}; try again when it has finished") from None
        fh.write(str(os.getpid()))
        fh.flush()
        yield


def dagster_instance(home: Path):
    """The run history under <home>/dagster, configured by the top-level dagster.yaml — the same
    storage `make dev` shows in the UI."""
    import dagster as dg

    storage = home / "dagster"
    storage.mkdir(parents=True, exist_ok=True)
    os.environ["PILOTDW_DAGSTER_DIR"] = str(storage)
    return dg.DagsterInstance.from_config(str(settings.PROJECT_ROOT))


def step_seconds(instance, run_id: str) -> dict[str, float]:
    """Wall time of each step of a run, from the start/end entries of Dagster's event log."""
    import dagster as dg

    kinds = {dg.DagsterEventType.STEP_START, dg.DagsterEventType.STEP_SUCCESS, dg.DagsterEventType.STEP_FAILURE}
    started: dict[str, float] = {}
    took: dict[str, float] = {}
    for entry in instance.all_logs(run_id, of_type=kinds):
        event = entry.dagster_event
        if event.event_type == dg.DagsterEventType.STEP_START:
            started[event.step_key] = entry.timestamp
        elif event.step_key in started:
            took[event.step_key] = round(entry.timestamp - started[event.step_key], 3)
    return took


def record_outcome(pilotdw, run_id: str, *, status: str, error: str | None = None, timings: dict[str, float] | None = None) -> RunSummary:
    """Write <home>/runs/<run_id>.md (for people) and .json (for scripts, e.g. the benchmark) and,
    unless published or unchanged, notify."""
    import json

    from pilotdw.orchestration.notify import notify

    summary = summarise(pilotdw.build_db(run_id), run_id, published=status == "published", error=error,
                        warehouse=pilotdw.warehouse, status=status, timings=timings)
    pilotdw.runs_dir.mkdir(parents=True, exist_ok=True)
    path = pilotdw.runs_dir / f"{run_id}.md"
    path.write_text(summary.text + "\n", encoding="utf-8")
    (pilotdw.runs_dir / f"{run_id}.json").write_text(
        json.dumps({"run_id": run_id, "status": status, "error": error, "step_seconds": timings or {}}, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    if status in ("blocked", "failed"):
        notify(run_id, status, path)
    return summary


def _first_error(result) -> str | None:
    for event in result.all_events:
        if event.is_step_failure:
            err = getattr(event.event_specific_data, "error", None)
            message = err.message.strip().splitlines()[-1] if err is not None else "failed"
            return f"{event.step_key}: {message}"
    return None


def models_not_built(result) -> int:
    """How many dbt models or seeds the dbt step could not build (0 when it did not fail so)."""
    from pilotdw.orchestration.dbt import MODELS_NOT_BUILT

    for event in result.all_events:
        if event.is_step_failure and event.step_key == "dbt_models":
            failure = getattr(event.event_specific_data, "user_failure_data", None)
            value = (failure.metadata or {}).get(MODELS_NOT_BUILT) if failure is not None else None
            return int(getattr(value, "value", value) or 0)
    return 0


def gate_blocked(build_db: Path, run_id: str) -> bool:
    """Whether publication was stopped by the gates (as opposed to a crash)."""
    import duckdb

    from pilotdw.orchestration.publish import failed_block_checks

    if not build_db.exists():
        return False
    try:
        with duckdb.connect(str(build_db), read_only=True) as con:
            tables = {r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
            if "audit.check_results" not in tables:
                return False
            return bool(failed_block_checks(con, run_id))
    except duckdb.Error:
        return False  # unreadable build (still locked by a dying step): not a gate decision


def nothing_landed(landing: Path, home: Path) -> bool:
    """Whether the landing folder holds exactly what the archive already has (same paths, sizes and
    modification times: archive_landing would not even hash them) and the published build was made
    from this archive by this code. Cheap: no Dagster, no parsing."""
    from pilotdw.orchestration.fingerprint import build_fingerprint, published_fingerprint
    from pilotdw.sources.archive import landed_files, read_manifest

    archive = home / "archive"
    latest = {e.path: e for e in read_manifest(archive) if e.withdrawn is None}
    for file in landed_files(landing):
        stat, last = file.stat(), latest.get(file.relative_to(landing).as_posix())
        if last is None or (last.size, last.mtime_ns) != (stat.st_size, stat.st_mtime_ns):
            return False
    return build_fingerprint(archive) == published_fingerprint(home / "warehouse.duckdb")


class _Paths:
    """The paths record_outcome needs, without Dagster's resource class (importing Dagster and the
    definitions is most of a run that has nothing to do)."""

    def __init__(self, home: Path, quiet: bool):
        self.home_path, self.quiet = home, quiet
        self.runs_dir, self.warehouse = home / "runs", home / "warehouse.duckdb"

    def build_db(self, build_id: str) -> Path:
        return self.home_path / "builds" / f"{build_id}.duckdb"


def run_nightly(landing: Path, home: Path, *, quiet: bool = False, report_lang: str = "zh", force: bool = False) -> RunSummary:
    if not force:
        # Nothing landed (issue 17: ≤ 5 s): answered before Dagster is imported. The scheduled and
        # sensor runs still go through the job, whose landing_archive step asks the same question.
        import time
        import uuid

        started = time.perf_counter()
        with home_lock(home):
            if nothing_landed(landing, home):
                if not quiet:
                    import sys

                    print(f"archive: 0 new or changed file(s) from {landing}\nnothing landed and nothing changed since the published "
                          "build: warehouse and reports stay as they are", file=sys.stderr, flush=True)
                return record_outcome(_Paths(home, quiet), str(uuid.uuid4()), status="unchanged",
                                      timings={"landing_archive": round(time.perf_counter() - started, 3)})

    import dagster as dg

    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.resources import PilotdwHome

    pilotdw = PilotdwHome(landing=str(landing), home=str(home), quiet=quiet, report_lang=report_lang,
                          keep_builds=settings.keep_builds(), force=force)
    with home_lock(home):
        job = build_definitions(pilotdw).resolve_job_def("nightly_refresh")
        with dagster_instance(home) as instance:
            result = job.execute_in_process(
                instance=instance,
                raise_on_error=False,
                tags={"pilotdw/trigger": "cli"},
                # Dagster's own event log is for the UI; the console gets pilotdw's progress lines.
                run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
            )
            timings = step_seconds(instance, result.run_id)
        run_id = result.run_id
        materialized = {e.asset_key for e in result.get_asset_materialization_events()}
        if result.success and dg.AssetKey(["published_warehouse"]) in materialized:
            status, error = "published", None
        elif result.success and dg.AssetKey(["landing_archive"]) not in materialized:
            status, error = "unchanged", None
        elif not models_not_built(result) and gate_blocked(pilotdw.build_db(run_id), run_id):
            status, error = "blocked", "a blocking quality gate failed"
        else:
            status, error = "failed", _first_error(result) or "the run did not complete"
        return record_outcome(pilotdw, run_id, status=status, error=error, timings=timings)
