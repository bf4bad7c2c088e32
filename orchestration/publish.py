"""Write-audit-publish: a build becomes the warehouse only after every block check of its own run
passed, and then in one atomic rename, so readers never see half a build."""
from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import duckdb

from pilotdw import settings
from pilotdw.catalogue import create_table_sql
# Published copies stay readable by DuckDB 1.4 clients (older CLIs, DBeaver, R and Java drivers).
PUBLISHED_STORAGE_VERSION = "v1.4.0"


def new_build_config() -> dict[str, str]:
    """Config of the connection that creates a build file: DuckDB's memory limit and, unless
    PILOTDW_BUILD_IN_PUBLISHED_FORMAT=0, the published storage format from the start. DuckDB keeps
    a file's format for every later write (dbt's included), so publishing is then a file copy
    instead of a COPY FROM DATABASE (46 s at 40× national scale; issue 17)."""
    import os

    config = dict(settings.duckdb_config())
    if os.environ.get("PILOTDW_BUILD_IN_PUBLISHED_FORMAT", "1") != "0":
        config["storage_compatibility_version"] = PUBLISHED_STORAGE_VERSION
    return config

# audit.builds as the catalogue states it (the one DDL of the table).
BUILDS_DDL = create_table_sql("audit.builds")


class PublicationBlocked(Exception):
    """Raised by the publish step when a block check of this run failed or never ran."""


@dataclass(frozen=True)
class FailedCheck:
    check: str
    table: str
    observed: str | None
    threshold: str | None
    message: str | None


def failed_block_checks(con: duckdb.DuckDBPyConnection, run_id: str) -> list[FailedCheck]:
    """Every block check of this run that did not pass. The publish step asks this itself rather than
    trusting Dagster to have skipped it (dagster issue 25112: a Python asset downstream of dbt assets
    can run although a dbt test failed)."""
    rows = con.execute(
        """
        SELECT "check", "table", CAST(observed_value AS VARCHAR), CAST(threshold AS VARCHAR), message
        FROM audit.check_results
        WHERE run_id = ? AND severity = 'block' AND NOT passed
        ORDER BY "table", "check"
        """,
        [run_id],
    ).fetchall()
    return [FailedCheck(*r) for r in rows]


def verify_gates(con: duckdb.DuckDBPyConnection, run_id: str) -> None:
    """Raise PublicationBlocked unless this run's block checks ran and all passed."""
    tables = {r[0] for r in con.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
    if "audit.check_results" not in tables:
        raise PublicationBlocked("no quality gate ran in this build (audit.check_results is missing)")
    ran = con.execute("SELECT count(*) FROM audit.check_results WHERE run_id = ? AND severity = 'block'", [run_id]).fetchall()[0][0]
    if ran == 0:
        raise PublicationBlocked(f"no block check recorded for run {run_id}")
    failed = failed_block_checks(con, run_id)
    if failed:
        raise PublicationBlocked("block checks failed: " + "; ".join(f"{f.check} on {f.table}" for f in failed))


def start_build(con: duckdb.DuckDBPyConnection, build_id: str, run_id: str, fingerprint: str) -> None:
    """audit.builds in the build itself, opened when the build starts."""
    con.execute("CREATE SCHEMA IF NOT EXISTS audit")
    con.execute(BUILDS_DDL)
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("INSERT INTO audit.builds (build_id, run_id, started_at, fingerprint) VALUES (?, ?, ?, ?)", [build_id, run_id, now, fingerprint])


def record_sources(con: duckdb.DuckDBPyConnection, build_id: str) -> None:
    """The source files the build was made from, and how fresh they are (written right after the
    raw layer, so the report of this build can state them)."""
    con.execute(
        """
        UPDATE audit.builds SET source_files = f.paths, source_hashes = f.hashes, as_of = f.as_of
        FROM (SELECT list(path ORDER BY path) AS paths, list(content_hash ORDER BY path) AS hashes, max(archived_at) AS as_of
              FROM audit.loads WHERE status = 'loaded') AS f
        WHERE build_id = ?
        """,
        [build_id],
    )


def finish_build(con: duckdb.DuckDBPyConnection, build_id: str) -> None:
    """Close the build's audit.builds row once it passed its gates."""
    now = datetime.now(timezone.utc).replace(tzinfo=None)
    con.execute("UPDATE audit.builds SET finished_at = ? WHERE build_id = ?", [now, build_id])


def _storage_version(db: Path) -> str | None:
    """The storage format a DuckDB file is written in ('v1.4.0+', 'v2.0.0+'), None if unreadable."""
    try:
        with duckdb.connect(config=settings.duckdb_config()) as con:
            con.execute(f"ATTACH '{db}' AS probe (READ_ONLY)")
            tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'probe'").fetchone()[0]
    except duckdb.Error:
        return None
    return (tags or {}).get("storage_version")


def _copy_for_readers(build_db: Path, target: Path) -> None:
    """Copy the build into a fresh file in the storage format older DuckDB clients read: the file
    itself when it is already in that format (new_build_config) and fully checkpointed, otherwise
    table by table (a build made by older code, or with PILOTDW_BUILD_IN_PUBLISHED_FORMAT=0)."""
    if target.exists():
        target.unlink()
    if (_storage_version(build_db) == f"{PUBLISHED_STORAGE_VERSION}+" and not Path(f"{build_db}.wal").exists()):
        shutil.copyfile(build_db, target)
        with duckdb.connect(str(target), config=settings.duckdb_config()) as con:
            con.execute("UPDATE audit.builds SET published_at = now()::TIMESTAMP")
        return
    with duckdb.connect(config=settings.duckdb_config()) as con:
        con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        con.execute(f"ATTACH '{target}' AS pub (STORAGE_VERSION '{PUBLISHED_STORAGE_VERSION}')")
        con.execute("COPY FROM DATABASE build TO pub")
        con.execute("UPDATE pub.audit.builds SET published_at = now()::TIMESTAMP")
        con.execute("DETACH pub")
        con.execute("DETACH build")


def swap_link(link: Path, target: Path) -> None:
    """Point `link` at `target` atomically (a new symlink renamed over the old one)."""
    tmp = link.with_name(f".{link.name}.tmp")
    if tmp.is_symlink() or tmp.exists():
        tmp.unlink()
    tmp.symlink_to(os.path.relpath(target, link.parent), target_is_directory=True)
    if link.exists() and not link.is_symlink():
        # A real folder where the link belongs (an older layout, or copied by hand): keep it aside.
        link.rename(link.with_name(f"{link.name}.old-{datetime.now():%Y%m%d%H%M%S}"))
    os.replace(tmp, link)


def publish(build_db: Path, build_reports: Path | None, warehouse: Path, reports_link: Path) -> None:
    """Make a verified build the warehouse (and its reports the reports) with atomic renames. A
    reader holding the old warehouse open keeps reading it; new readers see the new one."""
    staging = warehouse.with_name(f".{warehouse.name}.publishing")
    _copy_for_readers(build_db, staging)
    os.replace(staging, warehouse)
    if build_reports is not None and build_reports.exists():
        swap_link(reports_link, build_reports)


def prune_builds(builds_dir: Path, keep: int, protect: set[str]) -> list[str]:
    """Delete all but the newest `keep` builds (database and report folder); never one in `protect`
    (the published build and the run in progress). Returns the build ids removed."""
    builds = sorted(builds_dir.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True)
    removed = []
    for db in builds[keep:]:
        build_id = db.stem
        if build_id in protect:
            continue
        db.unlink(missing_ok=True)
        Path(f"{db}.wal").unlink(missing_ok=True)
        shutil.rmtree(builds_dir / build_id, ignore_errors=True)
        removed.append(build_id)
    return removed
