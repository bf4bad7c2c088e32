"""One owner of a home at a time, and recovery from an owner that died (kill -9, a power cut).

<home>/.lock is held with flock for the length of a run and names its owner (pid, run id, start).
The loser of a race never writes to it: it opens the file without truncating, fails to lock, reads
who holds it and exits 3. The owner clears it when it finishes; a lock that is free but still names
an owner therefore names one that died. The next run marks that run FAILED in Dagster's run storage
(otherwise it stays STARTED for ever and the daemon, allowed one run at a time, queues every later
run behind it), removes its build files and carries on.
"""
from __future__ import annotations

import fcntl
import json
import os
import shutil
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

LOCK_NAME = ".lock"
# Runs `pilotdw run` starts carry this tag; each holds the home's lock while it runs, so one still
# STARTED while this process holds the lock is dead, whatever the lock file says.
CLI_TAG = ("pilotdw/trigger", "cli")


class HomeBusy(Exception):
    """Another pilotdw run holds this home: one writer at a time."""


@dataclass(frozen=True)
class Owner:
    pid: int | None
    run_id: str | None
    started_at: str | None

    def describe(self) -> str:
        return f"pid {self.pid}, run {self.run_id}, started {self.started_at}"


def _owner_of(text: str) -> Owner | None:
    text = text.strip()
    if not text:
        return None
    try:
        data = json.loads(text)
    except json.JSONDecodeError:
        return Owner(int(text), None, None) if text.isdigit() else None  # an older lock: just a pid
    return Owner(data.get("pid"), data.get("run_id"), data.get("started_at"))


def _read(fd: int) -> str:
    os.lseek(fd, 0, os.SEEK_SET)
    chunks = []
    while chunk := os.read(fd, 4096):
        chunks.append(chunk)
    return b"".join(chunks).decode("utf-8", errors="replace")


def _write(fd: int, text: str) -> None:
    os.ftruncate(fd, 0)
    os.lseek(fd, 0, os.SEEK_SET)
    os.write(fd, text.encode("utf-8"))
    os.fsync(fd)


@dataclass
class HomeLock:
    """The held lock: `dead` is the owner the lock still named when this run acquired it (None after
    a clean finish)."""

    home: Path
    fd: int
    dead: Owner | None

    def claim(self, run_id: str) -> None:
        """Name this run as the owner (only ever written by the holder of the lock)."""
        started = datetime.now(timezone.utc).isoformat(timespec="seconds")
        _write(self.fd, json.dumps({"pid": os.getpid(), "run_id": run_id, "started_at": started}))


@contextmanager
def hold_home(home: Path):
    """Hold <home>/.lock exclusively (released by the kernel if this process dies) or raise HomeBusy
    naming the holder. The file is opened without truncation: a loser must not erase the owner."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            owner = _owner_of(_read(fd))
            held_by = f" ({owner.describe()})" if owner else ""
            raise HomeBusy(f"another pilotdw run{held_by} is using {home}; try again when it has finished") from None
        lock = HomeLock(home, fd, _owner_of(_read(fd)))
        try:
            yield lock
        finally:
            _write(fd, "")  # a clean finish: nobody left to recover
    finally:
        os.close(fd)  # closing releases the flock


def remove_build(builds_dir: Path, build_id: str) -> bool:
    """Delete a build's database (and WAL, DuckDB temp folder) and its folder (reports, dbt logs).
    Returns whether anything was there."""
    found = False
    for path in builds_dir.glob(f"{build_id}.duckdb*"):
        found = True
        shutil.rmtree(path, ignore_errors=True) if path.is_dir() else path.unlink(missing_ok=True)
    if (builds_dir / build_id).exists():
        found = True
        shutil.rmtree(builds_dir / build_id, ignore_errors=True)
    return found


def _unfinished(instance, run_ids: set[str]) -> list:
    """Runs named, or started by the CLI, that Dagster still believes are running."""
    import dagster as dg

    active = [dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING, dg.DagsterRunStatus.NOT_STARTED]
    runs = {r.run_id: r for r in instance.get_runs(filters=dg.RunsFilter(statuses=active, tags=dict([CLI_TAG])))}
    if run_ids:
        runs.update({r.run_id: r for r in instance.get_runs(filters=dg.RunsFilter(run_ids=sorted(run_ids), statuses=active))})
    return list(runs.values())


def recover(instance, lock: HomeLock, builds_dir: Path, *, current_run_id: str, say) -> list[str]:
    """Mark every run whose process died FAILED in Dagster's storage, with the reason, and remove
    its build files. Called while holding the lock, before this run starts. Returns their ids."""
    dead = lock.dead
    named = {dead.run_id} if dead and dead.run_id else set()
    recovered = []
    for run in _unfinished(instance, named):
        if run.run_id == current_run_id:
            continue
        who = f"pid {dead.pid}" if dead and dead.run_id == run.run_id and dead.pid else "its process"
        reason = (f"{who} died without finishing (killed, or the machine stopped); found by pilotdw run "
                  f"{current_run_id} at {datetime.now(timezone.utc).isoformat(timespec='seconds')}")
        instance.report_run_failed(run, message=reason)
        recovered.append(run.run_id)
    for run_id in sorted(named | set(recovered)):
        removed = remove_build(builds_dir, run_id)
        say(f"recovered: run {run_id} did not finish (its process died): marked FAILED"
            + (", its build files removed" if removed else ""))
    # A publication cut short leaves its staging copy and link beside the warehouse.
    home = lock.home
    for leftover in (home / ".warehouse.duckdb.publishing", home / ".reports.tmp"):
        if leftover.is_symlink() or leftover.exists():
            leftover.unlink()
    return sorted(named | set(recovered))
