"""Execute the nightly job in-process — the same job the schedule and the sensor launch — and turn
its outcome into a summary and an exit status."""
from __future__ import annotations

from pathlib import Path

from orchestration.summary import RunSummary, summarise


def _first_error(result) -> str | None:
    for event in result.all_events:
        if event.is_step_failure:
            data = event.event_specific_data
            err = getattr(data, "error", None)
            if err is not None:
                return f"{event.step_key}: {err.message.strip()}"
            return f"{event.step_key} failed"
    return None


def run_nightly(landing: Path, home: Path, *, quiet: bool = False, report_lang: str = "zh") -> RunSummary:
    import dagster as dg

    from orchestration.definitions import build_definitions
    from orchestration.resources import PilotdwHome

    pilotdw = PilotdwHome(landing=str(landing), home=str(home), quiet=quiet, report_lang=report_lang, keep_builds=PilotdwHome.from_env().keep_builds)
    home.mkdir(parents=True, exist_ok=True)
    defs = build_definitions(pilotdw)
    job = defs.resolve_job_def("nightly_refresh")
    with dg.DagsterInstance.ephemeral() as instance:
        result = job.execute_in_process(
            instance=instance,
            raise_on_error=False,
            # Dagster's own event log is for the UI; the console gets pilotdw's progress lines.
            run_config={"loggers": {"console": {"config": {"log_level": "ERROR"}}}},
        )
    run_id = result.run_id
    materialized = {e.asset_key for e in result.get_asset_materialization_events()}
    published = result.success and dg.AssetKey(["published_warehouse"]) in materialized
    error = None if published else (_first_error(result) or "a blocking quality gate failed; downstream steps were skipped")
    summary = summarise(pilotdw.build_db(run_id), run_id, published=published, error=error, warehouse=pilotdw.warehouse)
    summary.blocked = not published and _gate_blocked(pilotdw.build_db(run_id), run_id)
    return summary


def _gate_blocked(build_db: Path, run_id: str) -> bool:
    """Whether publication was stopped by the gates (as opposed to a crash)."""
    import duckdb

    if not build_db.exists():
        return False
    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = {r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
        if "audit.check_results" not in tables:
            return False
        return con.execute(
            "SELECT count(*) FROM audit.check_results WHERE run_id = ? AND severity = 'block' AND NOT passed", [run_id]
        ).fetchall()[0][0] > 0
