"""The content-addressed archive of landed files: the only state pilotdw keeps between runs.

Every file found in the landing folders is copied once, under its SHA-256, before anything parses
it; `manifest.jsonl` records each (landing path, content) pair in the order first seen. Builds read
the archive, never the landing folder, so a file deleted or overwritten in landing is still there.
"""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path

from pilotdw.settings import SOURCES

MANIFEST = "manifest.jsonl"


@dataclass(frozen=True)
class ArchivedFile:
    path: str  # landing-relative, POSIX separators: 'pilots/310000_2023_b1.tsv'
    content_hash: str  # sha256 hex
    size: int
    mtime_ns: int  # the file's modification time when archived ("later file" order)
    archived_at: str  # ISO timestamp, UTC
    withdrawn: str | None = None  # set on a withdrawal record: why an operator withdrew the path

    @property
    def source(self) -> str:
        return self.path.split("/", 1)[0]

    @property
    def suffix(self) -> str:
        return Path(self.path).suffix.lower()

    @property
    def mtime(self) -> datetime:
        return datetime.fromtimestamp(self.mtime_ns / 1e9, tz=timezone.utc).replace(tzinfo=None)


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def read_manifest(archive_dir: Path) -> list[ArchivedFile]:
    path = archive_dir / MANIFEST
    if not path.exists():
        return []
    with path.open(encoding="utf-8") as fh:
        return [ArchivedFile(**json.loads(line)) for line in fh if line.strip()]


def stored_path(archive_dir: Path, entry: ArchivedFile) -> Path:
    """Where an entry's bytes are: <archive>/<hash[:2]>/<hash><ext> (the extension kept for people)."""
    return archive_dir / entry.content_hash[:2] / f"{entry.content_hash}{entry.suffix}"


def is_ignored(name: str) -> bool:
    """Hidden files and Excel's lock files (~$名单.xlsx) are not submissions: an analyst having a
    list open must not reject a night's run."""
    return name.startswith(".") or name.startswith("~$")


def landed_files(landing: Path) -> list[Path]:
    """Every file in the four source folders (and their subfolders), in a stable order."""
    found: list[Path] = []
    for source in SOURCES:
        folder = landing / source
        if folder.is_dir():
            found.extend(p for p in folder.rglob("*") if p.is_file() and not is_ignored(p.name))
    return sorted(found)


def archive_landing(landing: Path, archive_dir: Path) -> list[ArchivedFile]:
    """Archive every landed file whose content is new for its path; return the new manifest entries.
    A file whose size and modification time match its last entry is not even re-hashed."""
    archive_dir.mkdir(parents=True, exist_ok=True)
    entries = read_manifest(archive_dir)
    # A withdrawal record does not change what the path's bytes were: an unchanged file that was
    # withdrawn stays withdrawn; new content at the path lands again.
    latest = {e.path: e for e in entries if e.withdrawn is None}
    known_hashes = {e.content_hash for e in entries}
    added: list[ArchivedFile] = []
    for file in landed_files(landing):
        rel = file.relative_to(landing).as_posix()
        stat = file.stat()
        last = latest.get(rel)
        if last and last.size == stat.st_size and last.mtime_ns == stat.st_mtime_ns:
            continue
        content_hash = sha256_of(file)
        if last and last.content_hash == content_hash:
            continue  # touched, not changed
        entry = ArchivedFile(rel, content_hash, stat.st_size, stat.st_mtime_ns, datetime.now(timezone.utc).isoformat(timespec="seconds"))
        target = stored_path(archive_dir, entry)
        if content_hash not in known_hashes and not target.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            tmp = target.with_suffix(target.suffix + ".part")
            shutil.copyfile(file, tmp)
            os.chmod(tmp, 0o444)  # archived bytes are never edited
            os.replace(tmp, target)
        known_hashes.add(content_hash)
        latest[rel] = entry
        added.append(entry)
    if added:
        with (archive_dir / MANIFEST).open("a", encoding="utf-8") as fh:
            for entry in added:
                fh.write(json.dumps(asdict(entry), ensure_ascii=False) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
    return added


def withdraw(archive_dir: Path, path: str, reason: str) -> ArchivedFile:
    """Withdraw a landed path from every later build (its bytes stay archived): how an operator
    takes back a file that can never load, such as a PDF dropped into pilots/. Landing new content
    at the same path brings it back."""
    entries = [e for e in read_manifest(archive_dir) if e.path == path and e.withdrawn is None]
    if not entries:
        known = sorted({e.path for e in read_manifest(archive_dir)})
        raise KeyError(f"{path} was never archived; archived paths: {', '.join(known[:20])}{' …' if len(known) > 20 else ''}")
    last = entries[-1]
    record = ArchivedFile(last.path, last.content_hash, last.size, last.mtime_ns,
                          datetime.now(timezone.utc).isoformat(timespec="seconds"), withdrawn=reason or "withdrawn")
    with (archive_dir / MANIFEST).open("a", encoding="utf-8") as fh:
        fh.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")
    return record


def landing_signature(landing: Path) -> str:
    """A digest of what is in the landing folders now (paths, sizes, modification times): cheap
    enough for a sensor tick, and different whenever a file is added, changed or removed."""
    digest = hashlib.sha256()
    for file in landed_files(landing):
        stat = file.stat()
        digest.update(f"{file.relative_to(landing).as_posix()}\0{stat.st_size}\0{stat.st_mtime_ns}\n".encode())
    return digest.hexdigest()
