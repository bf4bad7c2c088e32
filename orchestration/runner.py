"""Execute the nightly job in-process — the same job the schedule and the sensor launch — and turn
its outcome (orchestration/outcome.py) into a summary, a file under <home>/runs, a notification,
and an exit status. When nothing landed, say so without starting the job."""
from __future__ import annotations

import os
import time
import uuid
from contextlib import contextmanager
from pathlib import Path

from pilotdw import settings
from pilotdw.orchestration.fingerprint import nothing_to_build
from pilotdw.orchestration.home import Home
from pilotdw.orchestration.outcome import RunFacts, record_outcome, settle
from pilotdw.orchestration.recovery import HomeBusy, hold_home  # noqa: F401  (HomeBusy: the CLI's exit 3)
from pilotdw.orchestration.summary import RunSummary


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


def run_nightly(landing: Path, home: Path, *, quiet: bool = False, report_lang: str = "zh", force: bool = False,
                warehouse_url: str | None = None) -> RunSummary:
    """Raises HomeBusy (before anything heavy is imported) when another run holds the home."""
    layout = Home(landing=str(landing), home=str(home), quiet=quiet, report_lang=report_lang, keep_builds=settings.keep_builds(),
                  force=force, warehouse_url=warehouse_url or settings.warehouse_url())
    with home_lock(home) as lock:
        run_id = str(uuid.uuid4())
        lock.claim(run_id)
        # Nothing landed: answered without importing Dagster or dbt (~4 s of a 7 s no-op run), unless a
        # killed run must be recovered first (that needs Dagster's run storage).
        started = time.monotonic()
        if lock.dead is None and nothing_to_build(layout):
            layout.say("nothing landed and nothing changed since the published build: warehouse and reports stay as they are")
            return record_outcome(layout, run_id, status="unchanged", timings={"landing_check": round(time.monotonic() - started, 3)})
        return _run_holding_home(lock, run_id, layout)


def _run_holding_home(lock, run_id: str, layout: Home) -> RunSummary:
    from pilotdw.orchestration.definitions import build_definitions
    from pilotdw.orchestration.recovery import recover

    pilotdw = layout.resource()
    job = build_definitions(pilotdw).resolve_job_def("nightly_refresh")
    with dagster_instance(layout.home_path) as instance:
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
        facts = RunFacts.of_events(result.all_events if result is not None else [], succeeded=result is not None and result.success,
                                   crash=crash)
        status, error = settle(pilotdw, run_id, facts)
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
