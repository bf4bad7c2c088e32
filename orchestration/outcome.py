"""The outcome of a nightly run — published, unchanged, blocked or failed — decided in one place from
what the run left behind, and recorded: <home>/runs/<run_id>.md (for people) and .json (for scripts,
e.g. the benchmark), and a notification when blocked or failed.

`pilotdw run` (runner.py) and the failure sensor (sensors.py, runs the schedule or the landing sensor
launched) both call `settle` with the run's Dagster events, so a run reads the same whoever started it.
Nothing here imports Dagster at module level: `pilotdw run` records an `unchanged` outcome without it.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from pilotdw.orchestration.summary import RunSummary, summarise

# Metadata of the dbt step's failure (orchestration/dbt.py): how many models or seeds it could not
# build. A model that failed is the run failing, not a gate blocking it.
MODELS_NOT_BUILT = "models_not_built"
PUBLISHED_KEY = ("published_warehouse",)
ARCHIVE_KEY = ("landing_archive",)


@dataclass
class RunFacts:
    """What a finished run left: whether every step succeeded, which assets it materialised, its
    step failures (full text, causes included), and an exception that stopped it outside any step."""

    succeeded: bool = False
    materialized: set[tuple[str, ...]] = field(default_factory=set)
    failures: list[tuple[str, str, str]] = field(default_factory=list)  # (step, last line, full text)
    models_not_built: int = 0
    crash: Exception | None = None

    @classmethod
    def of_events(cls, events, *, succeeded: bool, crash: Exception | None = None) -> RunFacts:
        """From Dagster events: an in-process result's `all_events`, or the run's event log."""
        facts = cls(succeeded=succeeded, crash=crash)
        for event in events:
            if event is None:
                continue
            if event.is_step_materialization:
                facts.materialized.add(tuple(event.asset_key.path))
            elif event.is_step_failure:
                err = getattr(event.event_specific_data, "error", None)
                last = err.message.strip().splitlines()[-1] if err is not None and err.message.strip() else "failed"
                facts.failures.append((event.step_key, last, err.to_string() if err is not None else ""))
                failure = getattr(event.event_specific_data, "user_failure_data", None)
                value = (failure.metadata or {}).get(MODELS_NOT_BUILT) if failure is not None else None
                facts.models_not_built += int(getattr(value, "value", value) or 0)
        return facts

    @property
    def first_error(self) -> str | None:
        return f"{self.failures[0][0]}: {self.failures[0][1]}" if self.failures else None


def settle(pilotdw, run_id: str, facts: RunFacts) -> tuple[str, str | None]:
    """(status, error) of a finished run; a build cut short by a full disk is removed, so the next
    run has its space."""
    from pilotdw.orchestration.recovery import remove_build
    from pilotdw.orchestration.space import disk_is_full, is_out_of_space, out_of_space_line

    if facts.succeeded and PUBLISHED_KEY in facts.materialized:
        return "published", None
    if facts.succeeded and ARCHIVE_KEY not in facts.materialized:
        return "unchanged", None
    out_of_space = is_out_of_space(facts.crash, *(text for _, _, text in facts.failures))
    if not out_of_space and facts.crash is None and not facts.models_not_built and pilotdw.engine().gate_blocked(run_id):
        return "blocked", "a blocking quality gate failed"
    if out_of_space or disk_is_full(pilotdw.home_path):  # disk_is_full: a tool died writing, without saying so
        remove_build(pilotdw.builds_dir, run_id)
        error = out_of_space_line(pilotdw.home_path)
        pilotdw.say(error)
        return "failed", error
    if facts.crash is not None:
        text = str(facts.crash).strip()
        return "failed", f"{type(facts.crash).__name__}: {text.splitlines()[-1] if text else ''}"
    return "failed", facts.first_error or "the run did not complete"


def record_outcome(pilotdw, run_id: str, *, status: str, error: str | None = None, timings: dict[str, float] | None = None) -> RunSummary:
    """Write <home>/runs/<run_id>.md and .json and, unless published or unchanged, notify."""
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


def gate_blocked(build_db: Path, run_id: str) -> bool:
    """Whether publication of a DuckDB build was stopped by the gates (as opposed to a crash)."""
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
