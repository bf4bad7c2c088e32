"""Disk space: checked before a build, recognised when it runs out anyway, and given back by pruning
what the home keeps (builds of every outcome, Dagster's run history).

A full disk used to end in a 200-line traceback (`sqlite3.OperationalError: disk I/O error`) and
leave the partial build behind, so the next night failed the same way (issue 14)."""
from __future__ import annotations

import errno
import os
import shutil
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

from pilotdw.sources.archive import landed_files, read_manifest

MB = 1 << 20
# A first build has no predecessor to measure: the demo's first build took ~19 MB of database,
# reports and dbt target for a few files; this leaves room for a larger first landing.
FIRST_BUILD_BYTES = 64 * MB
HEADROOM_BYTES = 32 * MB  # run summaries, Dagster's run history, DuckDB's WAL
KEEP_RUN_DAYS = 30

# How an exhausted disk reads in the errors of Python, DuckDB, SQLite (Dagster's run storage) and dbt.
_NO_SPACE_TEXTS = ("no space left on device", "errno 28", "enospc", "database or disk is full", "disk quota exceeded")


class NotEnoughSpace(Exception):
    """Raised before building when the home's file system cannot hold the build."""


def mb(n: int) -> str:
    return f"{n / MB:,.1f} MB"


def pending_bytes(landing: Path, archive_dir: Path) -> int:
    """Bytes of landed files the archive does not hold yet (new or changed by size or time)."""
    latest = {e.path: e for e in read_manifest(archive_dir) if e.withdrawn is None}
    total = 0
    for file in landed_files(landing):
        stat = file.stat()
        last = latest.get(file.relative_to(landing).as_posix())
        if not (last and last.size == stat.st_size and last.mtime_ns == stat.st_mtime_ns):
            total += stat.st_size
    return total


def _tree_bytes(path: Path) -> int:
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


def last_build_bytes(builds_dir: Path) -> int | None:
    """Size of the newest build (its database and its folder), None when there is none."""
    builds = sorted(builds_dir.glob("*.duckdb"), key=lambda p: p.stat().st_mtime, reverse=True) if builds_dir.exists() else []
    if not builds:
        return None
    newest = builds[0]
    return newest.stat().st_size + (_tree_bytes(builds_dir / newest.stem) if (builds_dir / newest.stem).exists() else 0)


@dataclass(frozen=True)
class SpaceNeed:
    needed: int
    free: int
    where: Path
    detail: str

    @property
    def enough(self) -> bool:
        return self.free >= self.needed

    def line(self) -> str:
        return (f"not enough disk space to build: needed {mb(self.needed)} ({self.detail}), free {mb(self.free)} "
                f"on the file system of {self.where}; free space there or move the home (--home)")


def space_need(home: Path, landing: Path) -> SpaceNeed:
    """What a build will take: the last build again (or FIRST_BUILD_BYTES), the new files twice (their
    archived copy and their rows in the build), a copy of the published warehouse (publication
    writes a fresh file before the rename) and HEADROOM_BYTES."""
    home.mkdir(parents=True, exist_ok=True)
    builds, warehouse = home / "builds", home / "warehouse.duckdb"
    last = last_build_bytes(builds)
    new = pending_bytes(landing, home / "archive")
    published = warehouse.stat().st_size if warehouse.exists() else 0
    base = last if last is not None else FIRST_BUILD_BYTES
    needed = base + 2 * new + published + HEADROOM_BYTES
    detail = (f"{'last build' if last is not None else 'a first build'} {mb(base)} + 2 × {mb(new)} new files"
              f" + {mb(published)} published copy + {mb(HEADROOM_BYTES)} headroom")
    return SpaceNeed(needed, shutil.disk_usage(home).free, home, detail)


def check_space(home: Path, landing: Path) -> SpaceNeed:
    """Raise NotEnoughSpace with one line (needed, free, where) unless the build fits."""
    need = space_need(home, landing)
    if not need.enough:
        raise NotEnoughSpace(need.line())
    return need


def check_space_before_build(pilotdw) -> None:
    """check_space for a run (PilotdwHome), unless it will not build: nothing pending in landing
    and nothing changed since the published build."""
    from pilotdw.orchestration.fingerprint import nothing_to_build

    if nothing_to_build(pilotdw):
        return
    check_space(pilotdw.home_path, pilotdw.landing_path)


def is_out_of_space(*texts_or_errors: object) -> bool:
    """Whether an exception (with its causes) or an error text says the disk is full."""
    for item in texts_or_errors:
        if item is None:
            continue
        if isinstance(item, BaseException):
            seen = set()
            exc: BaseException | None = item
            while exc is not None and id(exc) not in seen:
                seen.add(id(exc))
                if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT):
                    return True
                if is_out_of_space(str(exc)):
                    return True
                exc = exc.__cause__ or exc.__context__
        elif any(t in str(item).lower() for t in _NO_SPACE_TEXTS):
            return True
    return False


def disk_is_full(path: Path) -> bool:
    """Whether the file system of `path` has (almost) nothing left: under 16 MB free."""
    try:
        return shutil.disk_usage(path).free < 16 * MB
    except OSError:
        return False


def out_of_space_line(home: Path) -> str:
    free = shutil.disk_usage(home).free if home.exists() else 0
    return (f"out of disk space: the file system of {home} is full ({mb(free)} free after removing this run's "
            "partial build); free space there or move the home (--home), then run again")


def prune_run_history(instance, dagster_dir: Path, *, keep_days: int, protect: set[str]) -> list[str]:
    """Delete Dagster's record (runs, events, per-run event-log shard, compute logs) of every
    finished run older than `keep_days`: SQLite otherwise grows ~2.5 MB a run for ever."""
    import dagster as dg

    if keep_days < 0:
        return []
    cutoff = datetime.now(timezone.utc) - timedelta(days=keep_days)
    finished = [dg.DagsterRunStatus.SUCCESS, dg.DagsterRunStatus.FAILURE, dg.DagsterRunStatus.CANCELED]
    old = instance.get_run_records(filters=dg.RunsFilter(statuses=finished, updated_before=cutoff))
    removed = []
    for record in old:
        run_id = record.dagster_run.run_id
        if run_id in protect:
            continue
        instance.delete_run(run_id)
        for path in (dagster_dir / "history" / "runs").glob(f"{run_id}.db*"):
            path.unlink(missing_ok=True)
        shutil.rmtree(dagster_dir / run_id, ignore_errors=True)
        removed.append(run_id)
    return removed


def keep_run_days() -> int:
    """Days of Dagster run history kept (env PILOTDW_KEEP_RUN_DAYS, default 30; -1 keeps all)."""
    value = os.environ.get("PILOTDW_KEEP_RUN_DAYS", "").strip()
    return int(value) if value.lstrip("-").isdigit() else KEEP_RUN_DAYS
