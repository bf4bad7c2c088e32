"""Where a build is made, gated and published: the engine behind the nightly job's assets.

`DuckDBEngine` (the default) builds into <home>/builds/<run id>.duckdb and publishes a copy as
<home>/warehouse.duckdb. `PostgresEngine` (`pilotdw run --warehouse postgresql://…`) parses the
landing into that same DuckDB build, copies its raw layer into the server's build schemas with COPY,
has dbt-postgres build the same models there, gates them, and publishes by renaming schemas
(orchestration/pg_warehouse.py). The assets call the engine; neither knows the other's details.

Both hand the gates and the reports a connection with the same surface (execute/fetchall/df; see
orchestration/pg_connection.py), on which the build's tables are `raw.x`, `marts.x`, ….
"""
from __future__ import annotations

import os
from contextlib import contextmanager
from typing import TYPE_CHECKING
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pilotdw import settings
from pilotdw.settings.children import DBT_WORKDIR_ENV
if TYPE_CHECKING:
    from pilotdw.orchestration.resources import PilotdwHome


# dbt's profile names the build by this constant relative path, in a working folder per build
# (DuckDBEngine.link_build_for_dbt) where it is a link to the build file. dbt hashes the profile's
# connection values into its partial-parse state: an absolute per-run path made every run a full
# re-parse (~6 s at any scale); with a constant one, the parse state `make setup` saved
# (orchestration/dbt_parse.py; dagster-dbt copies dbt_project/target/partial_parse.msgpack into each
# run's target folder) stays valid (issue 17).
DBT_DB_PATH = "build.duckdb"


def dbt_profile_environment() -> dict[str, str]:
    """What dbt's `build` profile reads from the environment, the same for every DuckDB build and
    for the parse `make setup` saves; any difference would cost a full re-parse."""
    # the prefix explicitly empty: a PostgreSQL run earlier in this process (the Dagster daemon,
    # the UI, the tests) left its own in os.environ, where dbt would read it
    return {"PILOTDW_DB_PATH": DBT_DB_PATH, "PILOTDW_DUCKDB_MEMORY_LIMIT": settings.duckdb_memory_limit(),
            "PILOTDW_DBT_THREADS": str(settings.dbt_threads()), "PILOTDW_SCHEMA_PREFIX": ""}


class DuckDBEngine:
    """The embedded warehouse: one DuckDB file per build, the published one a copy of it."""

    name = "duckdb"
    dbt_target = "build"

    def __init__(self, pilotdw: PilotdwHome):
        self.pilotdw = pilotdw

    def describe(self) -> str:
        return str(self.pilotdw.warehouse)

    # ---- building ------------------------------------------------------------------------------
    def load_raw(self, run_id: str, fingerprint: str):
        """Parse the whole archive into this run's fresh build database (rebuild, don't mutate)."""
        import duckdb

        from pilotdw.orchestration.publish import new_build_config, record_sources, start_build
        from pilotdw.sources.load import ingest

        build_db = self.pilotdw.build_db(run_id)
        build_db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(build_db), config=new_build_config()) as con:
            start_build(con, run_id, run_id, fingerprint)
            summary = ingest(con, self.pilotdw.archive_dir, progress=self.pilotdw.say)
            record_sources(con, run_id)
        return summary

    @contextmanager
    def build_connection(self, run_id: str):
        """The build of `run_id`, as the gates, the report and dbt's results read and write it."""
        import duckdb

        with duckdb.connect(str(self.pilotdw.build_db(run_id)), config=settings.duckdb_config()) as con:
            yield con

    @contextmanager
    def published_connection(self):
        """The published warehouse read-only, or None when nothing is published yet."""
        import duckdb

        if not self.pilotdw.warehouse.exists():
            yield None
            return
        with duckdb.connect(str(self.pilotdw.warehouse), read_only=True) as con:
            yield con

    @contextmanager
    def report_inputs(self, run_id: str):
        """(build, previous warehouse or None, workbook_from) for reports.render.write_reports: both
        read-only, so that a second process can read the same files and write national.xlsx."""
        import duckdb

        with duckdb.connect(str(self.pilotdw.build_db(run_id)), read_only=True, config=settings.duckdb_config()) as con, \
                self.published_connection() as prev:
            yield con, prev, (self.pilotdw.build_db(run_id), self.pilotdw.warehouse if prev is not None else None)

    def dbt_workdir(self, run_id: str) -> Path:
        """The build's folder (HomeLayout.build_dir): dbt runs there (dbt_child), beside its log and target."""
        return self.pilotdw.build_dir(run_id)

    def link_build_for_dbt(self, run_id: str) -> None:
        """Give the build file <home>/builds/<run id>.duckdb a second name, `build.duckdb` in dbt's
        working folder (a hard link): the constant path of dbt's profile. Not a symbolic link:
        DuckDB follows one and names the catalog after its target, which differs from run to run."""
        workdir = self.dbt_workdir(run_id)
        workdir.mkdir(parents=True, exist_ok=True)
        link = workdir / DBT_DB_PATH
        link.unlink(missing_ok=True)  # a retried step: link the build as it is now
        for stale in workdir.glob(DBT_DB_PATH + ".wal"):
            stale.unlink()  # left by a dbt that was killed: never replay it into a newer build
        os.link(self.pilotdw.build_db(run_id), link)

    def drop_dbt_link(self, run_id: str) -> None:
        """After dbt: the build file keeps one name, so nothing counts or copies it twice."""
        (self.dbt_workdir(run_id) / DBT_DB_PATH).unlink(missing_ok=True)

    def dbt_environment(self, run_id: str) -> dict[str, str]:
        """What dbt's profile reads from the environment for this build (and where dbt_child runs)."""
        return {**dbt_profile_environment(), DBT_WORKDIR_ENV: str(self.dbt_workdir(run_id))}

    def dbt_schema_for_readers(self, schema: str) -> str:
        """A schema dbt built into, by the name readers know it (marts, …)."""
        return schema

    def dbt_sql_for_readers(self, sql: str) -> str:
        """dbt's compiled SQL as it reads in any copy of the build (the published one included):
        without the catalog dbt qualifies tables with (the stem of DBT_DB_PATH)."""
        return sql.replace(f'"{Path(DBT_DB_PATH).stem}".', "")

    def write_table(self, run_id: str, schema: str, name: str, frame) -> int:
        """Replace <schema>.<name> of the build with a DataFrame (e.g. marts.pilot_effect)."""
        with self.build_connection(run_id) as con:
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
            con.register("_frame", frame)
            try:
                con.execute(f'CREATE OR REPLACE TABLE "{schema}"."{name}" AS SELECT * FROM _frame')
            finally:
                con.unregister("_frame")
        return len(frame)

    # ---- deciding and publishing ---------------------------------------------------------------
    def published_fingerprint(self) -> str | None:
        from pilotdw.orchestration.fingerprint import published_fingerprint

        return published_fingerprint(self.pilotdw.warehouse)

    def gate_blocked(self, run_id: str) -> bool:
        from pilotdw.orchestration.outcome import gate_blocked

        return gate_blocked(self.pilotdw.build_db(run_id), run_id)

    def summary_connection(self, run_id: str):
        """A context manager on the build for the run summary, or None when there is no build."""
        import duckdb

        build_db = self.pilotdw.build_db(run_id)
        return duckdb.connect(str(build_db), read_only=True) if build_db.exists() else None

    def publish(self, run_id: str) -> dict:
        """Verify the gates, publish the build and its reports, prune old builds."""
        from pilotdw.orchestration.publish import finish_build, prune_builds, publish, verify_gates

        pilotdw = self.pilotdw
        build_db = pilotdw.build_db(run_id)
        with self.build_connection(run_id) as con:
            verify_gates(con, run_id)  # raises PublicationBlocked: nothing below runs
            finish_build(con, run_id)
        publish(build_db, pilotdw.build_reports_dir(run_id), pilotdw.warehouse, pilotdw.reports_link)
        linked = pilotdw.reports_link.resolve().parent.name if pilotdw.reports_link.is_symlink() else run_id
        removed = prune_builds(pilotdw.builds_dir, pilotdw.keep_builds, protect={run_id, linked})
        return {"build_id": run_id, "warehouse": str(pilotdw.warehouse), "pruned_builds": len(removed)}


def pg_environment(url: str) -> dict[str, str]:
    """dbt's postgres target reads the server from PILOTDW_PG_* (dbt_project/profiles.yml)."""
    parts = urlsplit(url)
    return {
        "PILOTDW_PG_HOST": parts.hostname or "localhost",
        "PILOTDW_PG_PORT": str(parts.port or 5432),
        "PILOTDW_PG_USER": unquote(parts.username or os.environ.get("PGUSER", "postgres")),
        "PILOTDW_PG_PASSWORD": unquote(parts.password or os.environ.get("PGPASSWORD", "")),
        "PILOTDW_PG_DBNAME": (parts.path or "/").lstrip("/") or "postgres",
    }


def redacted(url: str) -> str:
    """The URL without its password, for logs and summaries."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    return url.replace(f":{parts.password}@", ":***@", 1)


class PostgresEngine(DuckDBEngine):
    """The warehouse on a PostgreSQL server. Parsing still writes the local DuckDB build (the
    readers and rules of sources/ are DuckDB's), then its raw layer is copied to the server."""

    name = "postgres"
    dbt_target = "postgres"

    def __init__(self, pilotdw: PilotdwHome, url: str):
        super().__init__(pilotdw)
        self.url = url

    def describe(self) -> str:
        return redacted(self.url)

    def prefix(self, run_id: str) -> str:
        from pilotdw.orchestration.pg_warehouse import build_prefix

        return build_prefix(run_id)

    def connect(self, prefix: str = ""):
        from pilotdw.orchestration.pg_connection import connect

        return connect(self.url, prefix, application_name="pilotdw")

    def load_raw(self, run_id: str, fingerprint: str):
        from pilotdw.orchestration.pg_warehouse import copy_raw_layer, drop_build

        summary = super().load_raw(run_id, fingerprint)
        with self.connect(self.prefix(run_id)) as pg:
            drop_build(pg, pg.prefix)  # a retried run starts from nothing
            copy_raw_layer(self.pilotdw.build_db(run_id), pg, say=self.pilotdw.say)
        return summary

    @contextmanager
    def build_connection(self, run_id: str):
        with self.connect(self.prefix(run_id)) as pg:
            yield pg

    @contextmanager
    def published_connection(self):
        with self.connect("") as pg:
            published = pg.execute("SELECT to_regclass('marts.national_summary') IS NOT NULL").fetchone()[0]
            yield pg if published else None

    def link_build_for_dbt(self, run_id: str) -> None:
        """dbt builds on the server: its profile names no file."""

    @contextmanager
    def report_inputs(self, run_id: str):
        """The build's and the published schemas; the workbook is written in this process."""
        with self.build_connection(run_id) as con, self.published_connection() as prev:
            yield con, prev, None

    def dbt_environment(self, run_id: str) -> dict[str, str]:
        return {**super().dbt_environment(run_id), **pg_environment(self.url), "PILOTDW_SCHEMA_PREFIX": self.prefix(run_id)}

    def dbt_schema_for_readers(self, schema: str) -> str:
        prefix = next(iter(_prefixes_in(f'"{schema}"')), "")
        return schema[len(prefix):]

    def dbt_sql_for_readers(self, sql: str) -> str:
        # dbt names the build's schemas ("build_<id>_marts"); the gates' queries name them plainly
        # (the connection maps them to the build), so a failing_sql also runs once published.
        for run_prefix in {p for p in _prefixes_in(sql)}:
            sql = sql.replace(f'"{run_prefix}', '"')
        return sql

    def write_table(self, run_id: str, schema: str, name: str, frame) -> int:
        from pilotdw.orchestration.pg_warehouse import write_table

        with self.build_connection(run_id) as pg:
            return write_table(pg, schema, name, frame)

    def published_fingerprint(self) -> str | None:
        with self.connect("") as pg:
            if not pg.execute("SELECT to_regclass('audit.builds') IS NOT NULL").fetchone()[0]:
                return None
            got = pg.execute("SELECT fingerprint FROM audit.builds ORDER BY finished_at DESC NULLS LAST LIMIT 1").fetchall()
        return got[0][0] if got else None

    def gate_blocked(self, run_id: str) -> bool:
        from pilotdw.orchestration.publish import failed_block_checks

        try:
            with self.build_connection(run_id) as pg:
                if not pg.execute("SELECT to_regclass(?) IS NOT NULL", [f'"{pg.prefix}audit".check_results']).fetchone()[0]:
                    return False
                return bool(failed_block_checks(pg, run_id))
        except Exception:  # the server went away: not a gate decision
            return False

    def summary_connection(self, run_id: str):
        """The build's schemas while unpublished; the published ones once this run is published."""
        from pilotdw.orchestration.pg_warehouse import published_build_id

        try:
            pg = self.connect(self.prefix(run_id))
        except Exception:
            return super().summary_connection(run_id)
        if pg.execute("SELECT to_regclass(?) IS NOT NULL", [f'"{pg.prefix}audit".loads']).fetchone()[0]:
            return pg
        if published_build_id(pg) == run_id:
            pg.prefix = ""
            return pg
        pg.close()
        return super().summary_connection(run_id)

    def publish(self, run_id: str) -> dict:
        from pilotdw.orchestration.pg_roles import ensure_roles, grant_published
        from pilotdw.orchestration.pg_warehouse import prune_builds, publish_build
        from pilotdw.orchestration.publish import finish_build, prune_builds as prune_files, swap_link, verify_gates

        pilotdw = self.pilotdw
        prefix = self.prefix(run_id)
        with self.build_connection(run_id) as pg:
            verify_gates(pg, run_id)  # raises PublicationBlocked: nothing below runs
            finish_build(pg, run_id)
            ensure_roles(pg.conn)
            publish_build(pg, prefix, grant_published)
            dropped, waiting = prune_builds(pg, pilotdw.keep_builds, protect={prefix})
        reports = pilotdw.build_reports_dir(run_id)
        if reports.exists():
            swap_link(pilotdw.reports_link, reports)
        linked = pilotdw.reports_link.resolve().parent.name if pilotdw.reports_link.is_symlink() else run_id
        removed = prune_files(pilotdw.builds_dir, pilotdw.keep_builds, protect={run_id, linked})
        if waiting:
            pilotdw.say(f"postgres: {len(waiting)} old build(s) still being read, dropped at a later run: {', '.join(waiting)}")
        return {"build_id": run_id, "warehouse": self.describe(), "pruned_builds": len(dropped), "pruned_build_files": len(removed),
                "builds_left_for_later": len(waiting)}


def _prefixes_in(sql: str) -> set[str]:
    import re

    return {m.group(1) for m in re.finditer(r'"(build_[0-9a-z]+_)(?:raw|audit|seeds|staging|intermediate|marts)"', sql)}


def engine_for(pilotdw: PilotdwHome) -> DuckDBEngine:
    """The engine a run uses: PostgreSQL when a warehouse URL is configured, else DuckDB."""
    url = pilotdw.warehouse_url
    if url:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError(f"--warehouse must be a postgresql:// URL, got {redacted(url)!r}")
        return PostgresEngine(pilotdw, url)
    return DuckDBEngine(pilotdw)
