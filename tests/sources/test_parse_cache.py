"""Parse once (issue 17): a build that reads parsed files back from the cache writes the same raw
and audit tables, row for row, as a build that parses every file; a change to the parser is a new
cache by itself."""
from __future__ import annotations

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from pilotdw import settings
import pilotdw.sources.load
from pilotdw.sources import parse_cache
from pilotdw.sources.archive import archive_landing, read_manifest
from pilotdw.sources.load import ingest
from tests.conftest import REAL_SHANGHAI

# Columns that differ between any two builds by design: when the build was written.
PER_BUILD = {"loaded_at"}


@pytest.fixture(scope="module")
def archive(tmp_path_factory) -> Path:
    """A small mixed demo landing (csv, tsv, xlsx with several sheets, GB18030, rejected and bad
    rows) and the real Shanghai list, archived."""
    from pilotdw.demo.generate import write_landing

    root = tmp_path_factory.mktemp("cache")
    landing = root / "landing"
    write_landing(landing, scale=0.05, include_rejects=True, formats="mixed")
    shutil.copy(REAL_SHANGHAI, landing / "pilots" / "310000_2023_b1_real.tsv")
    # the same list sent again, later: its rows supersede the first file's
    resent = landing / "pilots" / "310000_2023_b1_resent.tsv"
    resent.write_bytes(REAL_SHANGHAI.read_bytes() + b"\n")
    os.utime(resent, (os.path.getmtime(REAL_SHANGHAI) + 86400,) * 2)
    archive_landing(landing, root / "home" / "archive")
    return root / "home" / "archive"


def tables_of(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    """Every raw and audit table the ingest writes, sorted rows of every column but the build time."""
    out = {}
    for schema, table in con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema IN ('raw', 'audit') ORDER BY 1, 2"
    ).fetchall():
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
            [schema, table]).fetchall() if c not in PER_BUILD]
        select = ", ".join(f'"{c}"' for c in cols)
        out[f"{schema}.{table}"] = con.execute(f'SELECT {select} FROM {schema}."{table}" ORDER BY ALL').fetchall()
    return out


def build(archive: Path, monkeypatch, *, cache: bool) -> tuple[dict[str, list[tuple]], int, duckdb.DuckDBPyConnection]:
    """The tables of one ingest, and how many files it parsed (not read back from the cache)."""
    calls = []
    real = pilotdw.sources.load.parse_file

    def counting(entry, archive_dir):
        calls.append(entry.path)
        return real(entry, archive_dir)

    monkeypatch.setattr(pilotdw.sources.load, "parse_file", counting)
    monkeypatch.setenv("PILOTDW_PARSE_CACHE", "1" if cache else "0")
    con = duckdb.connect()
    ingest(con, archive, workers=1)
    return tables_of(con), len(calls), con


def test_cached_build_equals_full_parse_row_for_row(archive, monkeypatch):
    shutil.rmtree(archive.parent / parse_cache.FOLDER, ignore_errors=True)
    parsed, n_full, con = build(archive, monkeypatch, cache=False)
    first, n_first, _ = build(archive, monkeypatch, cache=True)
    second, n_second, _ = build(archive, monkeypatch, cache=True)

    assert n_full == n_first > 0, "the first cached build parses every file"
    assert n_second == 0, "the second build parses nothing: every file is read back"
    assert set(parsed) == set(second)
    for table in parsed:
        assert second[table] == parsed[table], f"{table} differs when read from the cache"
        assert first[table] == parsed[table], table
    # the landing exercised what the cache must keep: every format, rejects, quarantine, supersession
    seen = {c: {v for (v,) in con.execute(f"SELECT DISTINCT {c} FROM audit.loads").fetchall()} for c in ("format", "encoding", "status", "path")}
    assert seen["format"] >= {"csv", "tsv", "xlsx"}
    assert "gb18030" in seen["encoding"]
    assert seen["status"] >= {"loaded", "rejected", "superseded"}
    assert "pilots/310000_2023_b1_real.tsv" in seen["path"]
    assert con.execute("SELECT count(*) FROM audit.quarantine").fetchall()[0][0] > 0
    assert con.execute("SELECT count(*) FROM raw.pilots WHERE superseded_by IS NOT NULL").fetchall()[0][0] > 0


def test_a_new_file_is_the_only_one_parsed(archive, monkeypatch, tmp_path):
    if parse_cache.to_parse(archive, _active(archive)):
        build(archive, monkeypatch, cache=True)  # every file in the cache
    home = tmp_path / "home"
    shutil.copytree(archive.parent, home)  # this test's own archive and cache
    landing = tmp_path / "landing"
    (landing / "pilots").mkdir(parents=True)
    # other bytes than any archived file (the same bytes would be a duplicate, never parsed)
    (landing / "pilots" / "310000_2025_b9_new.tsv").write_bytes(REAL_SHANGHAI.read_bytes() + b"\n\n\n")
    assert len(archive_landing(landing, home / "archive")) == 1
    _, parsed, con = build(home / "archive", monkeypatch, cache=True)
    assert parsed == 1
    assert con.execute("SELECT count(*) FROM raw.pilots WHERE source_file = 'pilots/310000_2025_b9_new.tsv'").fetchall()[0][0] > 0


def test_a_parser_change_is_a_new_cache(archive, monkeypatch):
    active = _active(archive)
    if parse_cache.to_parse(archive, active):
        build(archive, monkeypatch, cache=True)
    assert parse_cache.to_parse(archive, active) == []
    old = parse_cache.cache_dir(archive)
    monkeypatch.setattr(parse_cache, "parser_fingerprint", lambda: "another-parser")
    assert parse_cache.to_parse(archive, active) == active, "every file to be parsed again"
    assert not old.exists(), "the old parser's entries are deleted"


def _active(archive: Path):
    from pilotdw.sources.load import file_statuses

    return file_statuses(read_manifest(archive))[0]


def test_fingerprint_covers_the_parsing_code_and_seeds(tmp_path):
    root = tmp_path / "project"
    for rel in ("sources", "settings"):
        shutil.copytree(settings.PROJECT_ROOT / rel, root / rel, ignore=shutil.ignore_patterns("__pycache__"))
    (root / "dbt_project" / "seeds").mkdir(parents=True)
    for seed in ("localities.csv", "indicators.csv"):
        shutil.copy(settings.DBT_PROJECT_DIR / "seeds" / seed, root / "dbt_project" / "seeds" / seed)
    fingerprint = parse_cache.parser_fingerprint.__wrapped__  # not the per-process cache of it
    base = fingerprint(root)
    assert base == parse_cache.parser_fingerprint(settings.PROJECT_ROOT)
    cells = root / "sources" / "cells.py"
    cells.write_text(cells.read_text(encoding="utf-8") + "\n# a change to a cell rule\n", encoding="utf-8")
    assert fingerprint(root) != base
    cells.write_text(cells.read_text(encoding="utf-8").removesuffix("\n# a change to a cell rule\n"), encoding="utf-8")
    assert fingerprint(root) == base
    seed = root / "dbt_project" / "seeds" / "localities.csv"
    seed.write_text(seed.read_text(encoding="utf-8").replace("上海市", "上海"), encoding="utf-8")
    assert fingerprint(root) != base
