"""dbt's parse state kept per home, so the nightly dbt build parses only what changed (issue 17).

dbt reuses its saved parse (target/partial_parse.msgpack) only while the profile's connection values
are the same: the DuckDB path and the database name derived from it. Each run builds into its own
file (<home>/builds/<run_id>.duckdb, architecture.md), so for the length of the dbt step that file is
renamed to one path per home, <home>/dbt/build.duckdb, and renamed back after; the saved parse lives
beside it. Everything else a run does still sees the build under its own name. (DuckDB keeps no
catalog name in a view's SQL, and pilotdw holds the home's lock, so one run at a time uses the path.)
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

PARTIAL_PARSE = "partial_parse.msgpack"


def state_dir(home: Path) -> Path:
    return home / "dbt"


@contextmanager
def stable_build(home: Path, build_db: Path, target_path: Path) -> Iterator[Path]:
    """`build_db` under the home's one dbt path while the block runs, with the home's saved parse
    put in dbt's `target_path`; after, the file back under its own name and dbt's new parse saved."""
    state = state_dir(home)
    state.mkdir(parents=True, exist_ok=True)
    stable = state / "build.duckdb"
    for leftover in (stable, _wal(stable)):  # a run killed during its dbt step: that build failed
        leftover.unlink(missing_ok=True)
    saved = state / PARTIAL_PARSE
    if saved.exists():
        target_path.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(saved, target_path / PARTIAL_PARSE)
    os.replace(build_db, stable)
    try:
        yield stable
    finally:
        os.replace(stable, build_db)
        if _wal(stable).exists():
            os.replace(_wal(stable), _wal(build_db))
        written = target_path / PARTIAL_PARSE
        if written.exists():
            tmp = state / f".{PARTIAL_PARSE}.tmp"
            shutil.copyfile(written, tmp)
            os.replace(tmp, saved)


def _wal(db: Path) -> Path:
    return db.with_name(db.name + ".wal")
