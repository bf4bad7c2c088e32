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
# Published copies stay readable by DuckDB 1.4 clients (older CLIs, DBeaver, R and Java drivers).
PUBLISHED_STORAGE_VERSION = "v1.4.0"

BUILDS_DDL = """
CREATE TABLE IF NOT EXISTS audit.builds (
    build_id      VARCHAR NOT NULL,
    run_id        VARCHAR NOT NULL,
    started_at    TIMESTAMP,
    finished_at   TIMESTAMP,
    as_of         TIMESTAMP,     -- the newest loaded source file's archive time: how fresh the data is
    source_files  VARCHAR[],     -- landing paths of the files this build loaded
    source_hashes VARCHAR[],     -- their content hashes, in the same order
    fingerprint   VARCHAR,       -- archive + code fingerprint (orchestration.fingerprint)
    published_at  TIMESTAMP
)
"""


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


def build_config() -> dict[str, str]:
    """Connection config that creates a build file: already in the published storage format (DuckDB
    keeps it for every later write, dbt's included), so publishing is a copy of the file (issue 17:
    1× publish 15.6 → 2.4 s; at 40× COPY FROM DATABASE was 46 s). PILOTDW_BUILD_IN_PUBLISHED_FORMAT=0
    builds in DuckDB's default format and publishes table by table, as before."""
    if os.environ.get("PILOTDW_BUILD_IN_PUBLISHED_FORMAT", "1") in ("0", "false", "no"):
        return settings.duckdb_config()
    return settings.duckdb_config() | {"storage_compatibility_version": PUBLISHED_STORAGE_VERSION}


def storage_version(db: Path) -> str | None:
    """The storage version DuckDB reports for the file (e.g. 'v1.4.0+')."""
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{db}' AS db (READ_ONLY)")
        tags = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'db'").fetchall()[0][0]
    return (tags or {}).get("storage_version")


def _copy_for_readers(build_db: Path, target: Path) -> None:
    """Copy the build into a fresh file in the storage format older DuckDB clients read: the file
    itself when the build was created in that format, else table by table."""
    if target.exists():
        target.unlink()
    if storage_version(build_db) == f"{PUBLISHED_STORAGE_VERSION}+":
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
