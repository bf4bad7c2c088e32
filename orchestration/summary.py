"""What a person reads after a run: loads, quarantine, gates, and whether the build was published —
read back from the build database, so the summary states what the build recorded, nothing else."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

SAMPLE_ROWS = 5


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


def withdraw_hint(path: str, home: Path | None) -> str:
    """How to take back a rejected file that can never load (a corrected file at the same path is
    the other remedy)."""
    home = f" --home {home}" if home is not None else ""
    return (f"fix it and land it again at {path}, or take it back: "
            f"`pilotdw withdraw {path} --reason \"…\"{home}`, then `pilotdw run`")


def _tables(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}


def summarise(build_db: Path, run_id: str, *, published: bool, error: str | None = None, warehouse: Path | str | None = None,
              status: str | None = None, timings: dict[str, float] | None = None, open_build=None) -> RunSummary:
    """`open_build`: a function returning a context manager on the build (None when there is none),
    for a build that is not the DuckDB file `build_db` (the PostgreSQL engine). `warehouse`: what the
    run publishes to, as people read it (a file path, or a redacted PostgreSQL URL)."""
    out = RunSummary(run_id, status or ("published" if published else "failed"), error)
    say = out.lines.append
    say(f"# pilotdw run {run_id}")
    say("")
    build = open_build() if open_build else (duckdb.connect(str(build_db), read_only=True) if build_db.exists() else None)
    if build is None:
        say(STATUS_LINES[out.status].format(warehouse=warehouse))
        if error:
            say(f"Reason: {error}")
        return out
    from pilotdw.sources.load import describe_problem

    with build as con:
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
                    say(f"  {withdraw_hint(path, build_db.parent.parent)}")  # <home>/builds/<id>.duckdb
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


# Columns that name a failing row to a person, in the order they are shown (as in the gates' messages).
_IDENTIFYING = ("source", "path", "source_file", "row_number", "source_row_number", "locality_code", "year", "uscc",
                "indicator")
EXAMPLES = 3  # failing rows named per check; all of them: audit.check_results.failing_sql
# The gates' messages end by pointing at failing_sql (and at the severity): said once for all below.
_TAIL = re.compile(r"\. (?:Warning|Blocks publishing); failing_sql lists them[^.]*\.?| \((?:warn|block)\); failing_sql lists them\.")
MAX_CHECKS = 20  # failed checks listed one by one; the rest are counted


def _example(row: dict) -> str:
    return ", ".join(f"{c}={row[c]}" for c in _IDENTIFYING if row.get(c) is not None)


def _gate_lines(con: duckdb.DuckDBPyConnection, run_id: str, say) -> None:
    """Failed checks, block first: one line each with how many rows fail and a few of them by name,
    however many rows fail, so the section stays short at national scale. Every failing row stays in
    audit.check_results (failing_sql) and the report's quality section. dbt tests that could not run
    because a model upstream failed are counted in one line: the failure that caused them is listed,
    and repeating it for every skipped test would bury it."""
    failed = con.execute(
        """SELECT "check", "table", severity, observed_value, threshold, message, failing_rows,
                  CAST(failing_sample AS VARCHAR), origin = 'dbt' AND observed_value IS NULL AS did_not_run
           FROM audit.check_results WHERE run_id = ? AND NOT passed
           ORDER BY severity, "table", "check" """,
        [run_id],
    ).fetchall()
    total = con.execute("SELECT count(*) FROM audit.check_results WHERE run_id = ?", [run_id]).fetchall()[0][0]
    did_not_run = [f for f in failed if f[8]]
    listed = [f for f in failed if not f[8]]
    blocks = sum(1 for f in failed if f[2] == "block")
    say("")
    say(f"## Quality gates ({total} checks, {len(failed)} failed: {blocks} blocking, {len(failed) - blocks} warnings)")
    for check, table, severity, observed, threshold, message, rows, sample, _ in listed[:MAX_CHECKS]:
        text = _TAIL.sub(".", message or f"{table}: {rows} failing row(s).").strip()
        examples = [e for e in (_example(r) for r in (json.loads(sample) if sample else [])) if e][:EXAMPLES]
        shown = f" E.g. {' | '.join(examples)}." if examples and "e.g." not in text else ""
        say(f"- [{severity}] {check}: {text}{shown}")
    if len(listed) > MAX_CHECKS:
        say(f"- … and {len(listed) - MAX_CHECKS} more failed check(s): audit.check_results.")
    if did_not_run:
        tables = sorted({f[1] for f in did_not_run if f[1]})
        say(f"- [block] {len(did_not_run)} dbt test(s) could not run because a model upstream failed "
            f"(on {', '.join(tables[:8])}{' …' if len(tables) > 8 else ''}); they count as failed.")
    if failed:
        say("All failing rows of a check: `SELECT failing_sql FROM audit.check_results WHERE run_id = "
            f"'{run_id}' AND \"check\" = '…'`, then run the query; the report's quality section lists every check.")
