"""Execute the nightly job in-process — the same job the schedule and the sensor launch — and turn
its outcome into a summary, a file under <home>/runs, a notification, and an exit status."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager
from pathlib import Path

from pilotdw import settings
from pilotdw.orchestration.recovery import HomeBusy, hold_home  # noqa: F401  (HomeBusy: the CLI's exit 3)
from pilotdw.orchestration.summary import RunSummary, summarise


@contextmanager
def home_lock(home: Path):
    """An exclusive lock on <home>/.lock for the length of a run (orchestration.recovery.hold_home)."""
    with hold_home(home) as lock:
        yield lock


def dagster_instance(home: Path):
    """The run history under <home>/dagster, configured by orchestration/dagster.yaml — the same
    storage `make dev` shows in the UI."""
    import dagster as dg

    storage = home / "dagster"
    storage.mkdir(parents=True, exist_ok=True)
    os.environ["PILOTDW_DAGSTER_DIR"] = str(storage)
    return dg.DagsterInstance.from_config(str(settings.dagster_config_dir()))


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

    engine = pilotdw.engine()
    summary = summarise(pilotdw.build_db(run_id), run_id, published=status == "published", error=error,
                        warehouse=engine.describe(), status=status, timings=timings,
                        open_build=lambda: engine.summary_connection(run_id))
    path = pilotdw.runs_dir / f"{run_id}.md"
    try:
        pilotdw.runs_dir.mkdir(parents=True, exist_ok=True)
        path.write_text(summary.text + "\n", encoding="utf-8")
        (pilotdw.runs_dir / f"{run_id}.json").write_text(
            json.dumps({"run_id": run_id, "status": status, "error": error, "step_seconds": timings or {}}, ensure_ascii=False, indent=1), encoding="utf-8"
        )
    except OSError as exc:  # a full disk: the summary still goes to stdout
        pilotdw.say(f"could not write {path}: {exc}")
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


def run_nightly(landing: Path, home: Path, *, quiet: bool = False, report_lang: str = "zh", force: bool = False,
                warehouse_url: str | None = None) -> RunSummary:
    """Raises HomeBusy (before anything heavy is imported) when another run holds the home."""
    with home_lock(home) as lock:
        run_id = str(uuid.uuid4())
        lock.claim(run_id)
        return _run_holding_home(lock, run_id, landing, home, quiet=quiet, report_lang=report_lang, force=force,
                                 warehouse_url=warehouse_url)


def _run_holding_home(lock, run_id: str, landing: Path, home: Path, *, quiet: bool, report_lang: str, force: bool,
                      warehouse_url: str | None = None) -> RunSummary:
    import dagster as dg

    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.recovery import recover, remove_build
    from pilotdw.orchestration.resources import PilotdwHome
    from pilotdw.orchestration.space import disk_is_full, is_out_of_space, out_of_space_line

    pilotdw = PilotdwHome(landing=str(landing), home=str(home), quiet=quiet, report_lang=report_lang,
                          keep_builds=settings.keep_builds(), force=force,
                          warehouse_url=warehouse_url or settings.warehouse_url())
    job = build_definitions(pilotdw).resolve_job_def("nightly_refresh")
    with dagster_instance(home) as instance:
        recover(instance, lock, pilotdw.builds_dir, current_run_id=run_id, say=pilotdw.say)
        crash: Exception | None = None
        result = None
        try:
            with _without_event_log_noise():
                result = job.execute_in_process(
                    instance=instance,
                    raise_on_error=False,
                    run_id=run_id,
                    tags={"pilotdw/trigger": "cli"},
                    # Dagster's own event log is for the UI; the console gets pilotdw's progress lines.
                    run_config={"loggers": {"console": {"config": {"log_level": "CRITICAL"}}}},
                )
        except Exception as exc:  # Dagster's own storage failing (a full disk: sqlite "disk I/O error")
            crash = exc
            _mark_failed(instance, run_id, f"{type(exc).__name__}: {exc}")
        timings = _quietly_or_empty(step_seconds, instance, run_id)
        materialized = {e.asset_key for e in result.get_asset_materialization_events()} if result else set()
        if result is not None and result.success and dg.AssetKey(["published_warehouse"]) in materialized:
            status, error = "published", None
        elif result is not None and result.success and dg.AssetKey(["landing_archive"]) not in materialized:
            status, error = "unchanged", None
        elif is_out_of_space(crash, *step_errors(result)):
            remove_build(pilotdw.builds_dir, run_id)  # the partial build, so the next run has its space
            status, error = "failed", out_of_space_line(home)
            pilotdw.say(error)
        elif result is not None and not models_not_built(result) and pilotdw.engine().gate_blocked(run_id):
            status, error = "blocked", "a blocking quality gate failed"
        elif disk_is_full(home):  # the failure's own message did not say so (a tool died writing)
            remove_build(pilotdw.builds_dir, run_id)
            status, error = "failed", out_of_space_line(home)
            pilotdw.say(error)
        elif crash is not None:
            status, error = "failed", f"{type(crash).__name__}: {str(crash).strip().splitlines()[-1] if str(crash).strip() else ''}"
        else:
            status, error = "failed", _first_error(result) or "the run did not complete"
        summary = record_outcome(pilotdw, run_id, status=status, error=error, timings=timings)
        tidy_home(pilotdw, instance, run_id)
        return summary


class _DropEventLogErrors:
    """stderr without Dagster's "Exception while writing logger call to event log: <SQL …>" (written
    once per event when its SQLite storage cannot be written, e.g. on a full disk): the run's own
    summary names the cause in one line."""

    NOISE = "Exception while writing logger call to event log"

    def __init__(self, stream):
        self._stream = stream

    def write(self, text: str) -> int:
        return len(text) if text.startswith(self.NOISE) else self._stream.write(text)

    def __getattr__(self, name):
        return getattr(self._stream, name)


@contextmanager
def _without_event_log_noise():
    import sys

    original = sys.stderr
    sys.stderr = _DropEventLogErrors(original)
    try:
        yield
    finally:
        sys.stderr = original


def step_errors(result) -> list[str]:
    """The full text (causes included) of every step failure of a run."""
    if result is None:
        return []
    texts = []
    for event in result.all_events:
        if event.is_step_failure:
            err = getattr(event.event_specific_data, "error", None)
            if err is not None:
                texts.append(err.to_string())
    return texts


def _mark_failed(instance, run_id: str, reason: str) -> None:
    """Dagster's record of a run that crashed out of execute_in_process, if it can still be written."""
    import dagster as dg

    try:
        run = instance.get_run_by_id(run_id)
        if run is not None and run.status in (dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED):
            instance.report_run_failed(run, message=reason)
    except Exception:  # the storage is what failed; the next run's recovery marks it
        pass


def _quietly_or_empty(func, *args):
    try:
        return func(*args)
    except Exception:
        return {}


def tidy_home(pilotdw, instance, run_id: str) -> None:
    """After every run, whatever its outcome: keep the newest builds (failed and blocked ones count
    like published ones; the published build and this run's are never removed) and Dagster's run
    history of the last PILOTDW_KEEP_RUN_DAYS days."""
    from pilotdw.orchestration.publish import prune_builds
    from pilotdw.orchestration.space import keep_run_days, prune_run_history

    linked = pilotdw.reports_link.resolve().parent.name if pilotdw.reports_link.is_symlink() else run_id
    try:
        if pilotdw.builds_dir.exists():
            prune_builds(pilotdw.builds_dir, pilotdw.keep_builds, protect={run_id, linked})
        prune_run_history(instance, pilotdw.home_path / "dagster", keep_days=keep_run_days(), protect={run_id})
    except Exception as exc:  # tidying never turns a run's outcome into a failure
        pilotdw.say(f"could not prune old builds or run history: {exc}")
