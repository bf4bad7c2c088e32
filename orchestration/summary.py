"""What a person reads after a run: loads, quarantine, gates, and whether the build was published —
read back from the build database, so the summary states what the build recorded, nothing else."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SAMPLE_ROWS = 5
MAX_SQL = 300  # characters of a failing-rows query shown in the summary


STATUS_LINES = {
    "published": "Published: {warehouse}",
    "unchanged": "Nothing landed and nothing changed since the published build: {warehouse} is unchanged.",
    "blocked": "NOT published — a blocking gate failed. The last published warehouse and reports are unchanged.",
    "failed": "NOT published — the run failed. The last published warehouse and reports are unchanged.",
}


@dataclass
class RunSummary:
    run_id: str
    status: str  # published | unchanged | blocked | failed
    error: str | None = None
    lines: list[str] = field(default_factory=list)

    @property
    def published(self) -> bool:
        return self.status == "published"

    @property
    def exit_code(self) -> int:
        return {"published": 0, "unchanged": 0, "blocked": 1}.get(self.status, 2)

    @property
    def text(self) -> str:
        return "\n".join(self.lines)


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}


def summarise(build_db: Path, run_id: str, *, published: bool, error: str | None = None, warehouse: Path | None = None,
              status: str | None = None, timings: dict[str, float] | None = None) -> RunSummary:
    out = RunSummary(run_id, status or ("published" if published else "failed"), error)
    say = out.lines.append
    say(f"# pilotdw run {run_id}")
    say("")
    if not build_db.exists():
        say(STATUS_LINES[out.status].format(warehouse=warehouse))
        if error:
            say(f"Reason: {error}")
        return out
    from pilotdw.sources.load import describe_problem

    with duckdb.connect(str(build_db), read_only=True) as con:
        tables = _tables(con)
        if "audit.loads" in tables:
            say("## Files")
            for status, files, rows, quarantined in con.execute(
                "SELECT status, count(*), sum(rows_loaded), sum(rows_quarantined) FROM audit.loads GROUP BY status ORDER BY status"
            ).fetchall():
                say(f"- {status}: {files} file(s), {rows or 0:,} rows loaded, {quarantined or 0:,} quarantined")
            for source, files, rows, quarantined in con.execute(
                "SELECT source, count(*), sum(rows_loaded), sum(rows_quarantined) FROM audit.loads WHERE status IN ('loaded','superseded') GROUP BY source ORDER BY source"
            ).fetchall():
                say(f"  - {source}: {files} file(s), {rows:,} rows, {quarantined:,} quarantined")
            rejected = con.execute("SELECT path, reason FROM audit.loads WHERE status = 'rejected' ORDER BY path").fetchall()
            if rejected:
                say("")
                say("## Rejected files")
                for path, reason in rejected:
                    say(f"- {path}: {reason}")
        if "audit.quarantine" in tables:
            sample = con.execute(
                f'SELECT file, sheet, row_number, "column", source, reason, value FROM audit.quarantine ORDER BY file, row_number LIMIT {SAMPLE_ROWS}'
            ).fetchall()
            total = con.execute("SELECT count(*) FROM audit.quarantine").fetchall()[0][0]
            if total:
                say("")
                say(f"## Quarantined rows ({total:,}; all in audit.quarantine)")
                for file, sheet, row, column, source, reason, value in sample:
                    say(f"- {describe_problem(file, sheet, row, column, source, reason, value)}")
        if "audit.check_results" in tables:
            _gate_lines(con, run_id, say)
    if timings:
        say("")
        say("## Step timings")
        say(", ".join(f"{step} {seconds:.1f} s" for step, seconds in timings.items()))
    say("")
    say(STATUS_LINES[out.status].format(warehouse=warehouse))
    if error and out.status == "failed":
        say(f"Reason: {error}")
    return out


def _gate_lines(con: duckdb.DuckDBPyConnection, run_id: str, say) -> None:
    """Failed checks, block first, each with sample rows and its failing-rows query. dbt tests that
    could not run because a model upstream failed are counted in one line: the failure that caused
    them is listed, and repeating it for every skipped test would bury it."""
    failed = con.execute(
        """SELECT "check", "table", severity, CAST(observed_value AS VARCHAR), CAST(threshold AS VARCHAR), message,
                  failing_sql, CAST(failing_sample AS VARCHAR), origin = 'dbt' AND observed_value IS NULL AS did_not_run
           FROM audit.check_results WHERE run_id = ? AND NOT passed ORDER BY severity, "table", "check" """,
        [run_id],
    ).fetchall()
    total = con.execute("SELECT count(*) FROM audit.check_results WHERE run_id = ?", [run_id]).fetchall()[0][0]
    did_not_run = [f for f in failed if f[8]]
    say("")
    say(f"## Quality gates ({total} checks, {len(failed)} failed)")
    for check, table, severity, observed, threshold, message, sql, sample, _ in (f for f in failed if not f[8]):
        say(f"- [{severity}] {check} on {table}: {message or ''} (observed {observed}, threshold {threshold})")
        for row in (json.loads(sample) if sample else [])[:3]:
            say(f"    - {json.dumps(row, ensure_ascii=False, default=str)}")
        if sql:
            query = " ".join(sql.split())
            query = query[:MAX_SQL] + " …` (the whole query: audit.check_results.failing_sql)" if len(query) > MAX_SQL else query + "`"
            say(f"    - all failing rows: `{query}")
    if did_not_run:
        tables = sorted({f[1] for f in did_not_run if f[1]})
        say(f"- [block] {len(did_not_run)} dbt test(s) could not run because a model upstream failed "
            f"(on {', '.join(tables[:8])}{' …' if len(tables) > 8 else ''}); they count as failed.")
