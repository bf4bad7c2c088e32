"""Official releases: the published build frozen as a year's national evaluation, and rebuilt from
the archive when someone asks how a figure came about.

Builds rotate (PILOTDW_KEEP_BUILDS), so without this the build behind a year's published evaluation
was deleted within a week of nightly runs (issue 14). `<home>/releases/<year>/` holds a copy of the
warehouse, its reports and `manifest.json`: the source files with their hashes (and the archive
entries that made the build, in order), the code version, the build id and a checksum of every file
of the release. Nothing prunes `releases/`; a release is replaced only with `--supersede`, which
moves the old one aside, never deletes it.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
from dataclasses import asdict
from datetime import date, datetime, time, timezone
from pathlib import Path

import duckdb

from pilotdw import settings
from pilotdw.sources.archive import MANIFEST, ArchivedFile, read_manifest, sha256_of, stored_path

RELEASE_MANIFEST = "manifest.json"


class ReleaseError(Exception):
    """A release cannot be made or read as asked; the message says why."""


def releases_dir(home: Path) -> Path:
    return home / "releases"


def code_version() -> dict[str, str | None]:
    """The pilotdw version, the fingerprint of the rules (orchestration.fingerprint) and, when the
    code is a git checkout, its commit."""
    from importlib.metadata import PackageNotFoundError, version

    from pilotdw.orchestration.fingerprint import code_fingerprint

    try:
        package = version("pilotdw")
    except PackageNotFoundError:
        package = None
    try:
        commit = subprocess.run(["git", "-C", str(settings.PROJECT_ROOT), "rev-parse", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        commit = None
    return {"pilotdw": package, "code_fingerprint": code_fingerprint(), "git_commit": commit}


def _published_build(warehouse: Path) -> dict:
    with duckdb.connect(str(warehouse), read_only=True) as con:
        row = con.execute(
            """SELECT build_id, run_id, CAST(started_at AS VARCHAR), CAST(finished_at AS VARCHAR), CAST(published_at AS VARCHAR),
                      CAST(as_of AS VARCHAR), fingerprint
               FROM audit.builds ORDER BY finished_at DESC NULLS LAST LIMIT 1"""
        ).fetchall()
        loads = con.execute(
            "SELECT path, content_hash, status, reason FROM audit.loads ORDER BY path, content_hash"
        ).fetchall()
    if not row:
        raise ReleaseError(f"{warehouse} records no build (audit.builds is empty)")
    keys = ("build_id", "run_id", "started_at", "finished_at", "published_at", "as_of", "fingerprint")
    build = dict(zip(keys, row[0]))
    build["files"] = [{"path": p, "content_hash": h, "status": s, "reason": r} for p, h, s, r in loads]
    return build


def _checksums(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): sha256_of(p) for p in sorted(folder.rglob("*")) if p.is_file() and p.name != RELEASE_MANIFEST}


def _archive_entries_of(archive_dir: Path, started_at: str | None) -> list[ArchivedFile]:
    """The archive's entries as the build saw them: every entry archived before the build started."""
    entries = read_manifest(archive_dir)
    if not started_at:
        return entries
    cutoff = datetime.fromisoformat(started_at).replace(tzinfo=timezone.utc)
    return [e for e in entries if datetime.fromisoformat(e.archived_at) <= cutoff]


def make_release(home: Path, year: int, *, supersede: bool = False) -> Path:
    """Freeze the published build as the official evaluation of `year` under <home>/releases/<year>/."""
    warehouse = home / "warehouse.duckdb"
    if not warehouse.exists():
        raise ReleaseError(f"no published warehouse at {warehouse}; run `pilotdw run` first")
    root = releases_dir(home)
    target = root / str(year)
    if target.exists() and not supersede:
        old = json.loads((target / RELEASE_MANIFEST).read_text(encoding="utf-8")) if (target / RELEASE_MANIFEST).exists() else {}
        raise ReleaseError(f"the {year} release already exists ({target}: build {old.get('build_id')}, released "
                           f"{old.get('released_at')}); it is never overwritten — pass --supersede to make a new one "
                           "(the old one is kept beside it)")
    build = _published_build(warehouse)
    root.mkdir(parents=True, exist_ok=True)
    staging = root / f".{year}.tmp"
    if staging.exists():
        _make_writable(staging)
        shutil.rmtree(staging)
    staging.mkdir()
    shutil.copy2(warehouse, staging / "warehouse.duckdb")
    reports = home / "reports"
    if reports.exists():
        shutil.copytree(reports.resolve(), staging / "reports")
    archive = home / "archive"
    entries = _archive_entries_of(archive, build.get("started_at"))
    by_hash = {e.content_hash: e for e in entries if e.withdrawn is None}
    manifest = {
        "year": year,
        "released_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "build_id": build["build_id"],
        "run_id": build["run_id"],
        "build_started_at": build["started_at"],
        "published_at": build["published_at"],
        "data_as_of": build["as_of"],
        "build_fingerprint": build["fingerprint"],
        "code_version": code_version(),
        "programme_years": {"p0": settings.P0, "p1": settings.P1},
        "source_files": [
            {**f, "size": by_hash[f["content_hash"]].size if f["content_hash"] in by_hash else None,
             "archived_at": by_hash[f["content_hash"]].archived_at if f["content_hash"] in by_hash else None}
            for f in build["files"]
        ],
        "archive_entries": [asdict(e) for e in entries],
        "checksums_sha256": _checksums(staging),
    }
    (staging / RELEASE_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    _make_read_only(staging)
    if target.exists():
        stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
        os.replace(target, root / f"{year}.superseded-{stamp}")
    os.replace(staging, target)
    return target


def _make_read_only(folder: Path) -> None:
    for p in folder.rglob("*"):
        if p.is_file():
            os.chmod(p, 0o444)


def _make_writable(folder: Path) -> None:
    for p in folder.rglob("*"):
        os.chmod(p, 0o755 if p.is_dir() else 0o644)


def verify_release(folder: Path) -> list[str]:
    """Files of a release whose checksum no longer matches its manifest (empty: intact)."""
    manifest = json.loads((folder / RELEASE_MANIFEST).read_text(encoding="utf-8"))
    now = _checksums(folder)
    expected = manifest["checksums_sha256"]
    return sorted(p for p in set(expected) | set(now) if expected.get(p) != now.get(p))


def entries_as_of(archive_dir: Path, as_of: str) -> list[ArchivedFile]:
    """Archive entries (files and withdrawals) recorded by the end of `as_of` (a date: that whole
    day, UTC; or an ISO timestamp)."""
    try:
        cutoff = datetime.combine(date.fromisoformat(as_of), time.max, tzinfo=timezone.utc)
    except ValueError:
        cutoff = datetime.fromisoformat(as_of)
        cutoff = cutoff if cutoff.tzinfo else cutoff.replace(tzinfo=timezone.utc)
    return [e for e in read_manifest(archive_dir) if datetime.fromisoformat(e.archived_at) <= cutoff]


def release_entries(home: Path, year: int) -> list[ArchivedFile]:
    folder = releases_dir(home) / str(year)
    if not (folder / RELEASE_MANIFEST).exists():
        raise ReleaseError(f"no {year} release under {releases_dir(home)}")
    manifest = json.loads((folder / RELEASE_MANIFEST).read_text(encoding="utf-8"))
    return [ArchivedFile(**e) for e in manifest["archive_entries"]]


def seed_home(archive_dir: Path, entries: list[ArchivedFile], out: Path) -> Path:
    """A fresh home at `out` whose archive holds exactly `entries` (files linked, or copied across
    file systems), ready for a forced run with an empty landing folder."""
    if (out / "archive" / MANIFEST).exists() or (out / "warehouse.duckdb").exists():
        raise ReleaseError(f"{out} already holds a pilotdw home; rebuild into an empty folder")
    target = out / "archive"
    target.mkdir(parents=True, exist_ok=True)
    missing = []
    for entry in entries:
        source, dest = stored_path(archive_dir, entry), stored_path(target, entry)
        if entry.withdrawn is not None or dest.exists():
            continue
        if not source.exists():
            missing.append(entry.path)
            continue
        dest.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, dest)
        except OSError:
            shutil.copy2(source, dest)
    if missing:
        raise ReleaseError(f"the archive lacks {len(missing)} file(s) the rebuild needs: {', '.join(missing[:5])}")
    with (target / MANIFEST).open("w", encoding="utf-8") as fh:
        for entry in entries:
            fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
    (out / "landing").mkdir(exist_ok=True)
    return out / "landing"
