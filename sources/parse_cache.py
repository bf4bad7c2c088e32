"""Parse once (issue 17): a landed file's parsed rows and quarantine rows, kept as Parquet beside the
archive, so a build parses only the files it has not seen under the parser it runs.

An entry is keyed by what the parse reads: the file's bytes (content hash), its landing path (file
names carry a pilot list's locality, year and batch, and every message names the file) and the
parser's fingerprint — the sources/ and settings/ code, the seeds the rules read, the programme
years and the versions of the libraries that read and convert cells. Change any of them and the key
changes: nothing stale is ever read, and entries of older parsers are deleted on the next build.

A parse that cannot be stored exactly (a column mixing Python types Arrow will not convert) is
simply not cached: the next build parses that file again, as before.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
import unicodedata
from collections.abc import Callable
from functools import cache
from importlib.metadata import version
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from pilotdw import settings
FOLDER = "parsed"  # <home>/parsed, beside <home>/archive
# The code and data whose change alters what a parse returns.
_PARSER_GLOBS = ("sources/*.py", "sources/*.sql", "settings/*.py")
_PARSER_DATA = ("dbt_project/seeds/localities.csv", "dbt_project/seeds/indicators.csv")
_LIBRARIES = ("pandas", "numpy", "pyarrow", "python-calamine")
_META_FIELDS = ("status", "reason", "format", "encoding", "sheets", "rows_read")


@cache
def parser_fingerprint(root: Path = settings.PROJECT_ROOT) -> str:
    """Hash of everything a parse depends on besides the file itself (`root`: the project)."""
    digest = hashlib.sha256(f"P0={settings.P0};P1={settings.P1};python={sys.version};unicode={unicodedata.unidata_version}".encode())
    for name in _LIBRARIES:
        try:
            digest.update(f"{name}={version(name)};".encode())
        except Exception:  # not installed: not used by the readers either
            digest.update(f"{name}=-;".encode())
    files = [p for g in _PARSER_GLOBS for p in sorted(root.glob(g))] + [root / d for d in _PARSER_DATA]
    for path in files:
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:16]


def cache_dir(archive_dir: Path) -> Path:
    """This parser's folder of entries, beside the archive."""
    return Path(archive_dir).parent / FOLDER / parser_fingerprint()


def _stem(archive_dir: Path, entry) -> Path:
    key = hashlib.sha256(f"{entry.source}\0{entry.path}\0{entry.content_hash}".encode()).hexdigest()[:32]
    return cache_dir(archive_dir) / key


def enabled() -> bool:
    """On unless PILOTDW_PARSE_CACHE=0 (the benchmark's before/after, a suspicion of the cache)."""
    return os.environ.get("PILOTDW_PARSE_CACHE", "1") not in ("0", "false", "no")


def to_parse(archive_dir: Path, entries: list) -> list:
    """The entries this build must parse (no entry under this parser); deletes other parsers' entries."""
    if not enabled():
        return list(entries)
    _prune_other_parsers(archive_dir)
    return [e for e in entries if not _stem(archive_dir, e).with_suffix(".json").exists()]


def parsed_file(entry, archive_dir: Path, parse: Callable):
    """`parse(entry, archive_dir)` (sources.load.parse_file), or what it returned for the same file
    under the same parser, read back from its cache entry."""
    if not enabled():
        return parse(entry, archive_dir)
    stem = _stem(archive_dir, entry)
    started = time.perf_counter()
    outcome = _read(entry, stem)
    if outcome is not None:
        outcome.seconds = time.perf_counter() - started
    else:
        outcome = parse(entry, archive_dir)
        _write(stem, outcome)
    return outcome


def _read(entry, stem: Path):
    from pilotdw.sources.load import FileOutcome

    meta_path = stem.with_suffix(".json")
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        outcome = FileOutcome(entry, **{k: meta[k] for k in _META_FIELDS})
        if meta["has_rows"]:
            outcome.rows = pq.read_table(stem.with_suffix(".rows.parquet")).to_pandas()
            outcome.quarantine = pq.read_table(stem.with_suffix(".quarantine.parquet")).to_pandas()
    except (OSError, ValueError, KeyError, pa.ArrowException):
        return None  # absent, or left half-written by a killed run: parse again
    return outcome


def _write(stem: Path, outcome) -> None:
    try:
        tables = {} if outcome.rows is None else {
            ".rows.parquet": pa.Table.from_pandas(outcome.rows, preserve_index=False),
            ".quarantine.parquet": pa.Table.from_pandas(outcome.quarantine, preserve_index=False),
        }
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return  # not storable exactly: parsed again next time
    stem.parent.mkdir(parents=True, exist_ok=True)
    for suffix, table in tables.items():
        _atomically(stem.with_suffix(suffix), lambda tmp, t=table: pq.write_table(t, tmp))
    meta = {k: getattr(outcome, k) for k in _META_FIELDS} | {"has_rows": outcome.rows is not None, "path": outcome.entry.path}
    # the .json last: an entry exists once its Parquet files are complete
    _atomically(stem.with_suffix(".json"), lambda tmp: Path(tmp).write_text(json.dumps(meta, ensure_ascii=False), encoding="utf-8"))


def _atomically(path: Path, write: Callable[[str], None]) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    write(str(tmp))
    os.replace(tmp, path)


def _prune_other_parsers(archive_dir: Path) -> None:
    """Entries of any other parser can never be read again: delete them."""
    import shutil

    root = Path(archive_dir).parent / FOLDER
    if root.exists():
        for folder in root.iterdir():
            if folder.name != parser_fingerprint():
                shutil.rmtree(folder, ignore_errors=True)
