"""Releases of the drill's published build: frozen with a manifest, never overwritten without
--supersede (which keeps the old one), never pruned; rebuilt from the manifest to identical marts."""
from __future__ import annotations

import json

import duckdb
import pytest

from tests.reliability.conftest import pilotdw

pytestmark = pytest.mark.slow

YEAR = 2024


@pytest.fixture(scope="module")
def released(drill, tmp_path_factory):
    first = pilotdw("release", "--year", str(YEAR), "--home", str(drill.home))
    again = pilotdw("release", "--year", str(YEAR), "--home", str(drill.home))
    superseded = pilotdw("release", "--year", str(YEAR), "--home", str(drill.home), "--supersede")
    out = tmp_path_factory.mktemp("rebuilt") / "home"
    rebuilt = pilotdw("rebuild", "--release", str(YEAR), "--out", str(out), "--home", str(drill.home), "--quiet")
    return {"first": first, "again": again, "superseded": superseded, "rebuilt": rebuilt, "out": out}


def test_release_holds_warehouse_reports_and_manifest(drill, released):
    assert released["first"].returncode == 0, released["first"].stderr
    folder = drill.home / "releases" / str(YEAR)
    manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
    with duckdb.connect(str(drill.warehouse), read_only=True) as con:
        build_id, paths, hashes = con.execute("SELECT build_id, source_files, source_hashes FROM audit.builds").fetchall()[0]
    assert manifest["build_id"] == build_id
    loaded = {(f["path"], f["content_hash"]) for f in manifest["source_files"] if f["status"] == "loaded"}
    assert loaded == set(zip(paths, hashes))
    assert manifest["code_version"]["code_fingerprint"] and manifest["code_version"]["pilotdw"]
    assert (folder / "warehouse.duckdb").exists() and any((folder / "reports").rglob("national.html"))
    from pilotdw.orchestration.release import verify_release

    assert verify_release(folder) == []
    assert set(manifest["checksums_sha256"]) >= {"warehouse.duckdb"}


def test_release_is_not_overwritten_without_supersede(released):
    assert released["again"].returncode == 1
    assert "already exists" in released["again"].stderr and "--supersede" in released["again"].stderr


def test_supersede_keeps_the_old_release(drill, released):
    assert released["superseded"].returncode == 0, released["superseded"].stderr
    kept = list((drill.home / "releases").glob(f"{YEAR}.superseded-*"))
    assert len(kept) == 1 and (kept[0] / "manifest.json").exists()
    assert (drill.home / "releases" / str(YEAR) / "manifest.json").exists()


def test_releases_are_never_pruned(drill, released):
    from pilotdw.orchestration.publish import prune_builds

    prune_builds(drill.home / "builds", 0, protect=set())
    assert (drill.home / "releases" / str(YEAR) / "warehouse.duckdb").exists()


def _value(v):
    """A cell to compare: floats to 9 decimals. DuckDB sums floats in the order its threads finish,
    so two builds of the same data may differ in the last bits (2.972 vs 2.9719999999999995);
    every other value must be equal."""
    return round(v, 9) if isinstance(v, float) else v


def _marts(path) -> dict[str, list[tuple]]:
    with duckdb.connect(str(path), read_only=True) as con:
        tables = [r[0] for r in con.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts' ORDER BY 1").fetchall()]
        return {t: sorted((tuple(_value(v) for v in row) for row in con.execute(f"SELECT * FROM marts.{t}").fetchall()), key=repr)
                for t in tables}


def test_rebuild_from_the_manifest_gives_identical_marts(drill, released):
    rebuilt = released["rebuilt"]
    assert rebuilt.returncode == 0, rebuilt.stdout[-2000:] + rebuilt.stderr[-2000:]
    original = _marts(drill.home / "releases" / str(YEAR) / "warehouse.duckdb")
    again = _marts(released["out"] / "warehouse.duckdb")
    assert original and set(original) == set(again)
    for table in original:
        assert again[table] == original[table], table


def test_rebuild_as_of_before_anything_landed_is_refused(drill, tmp_path):
    got = pilotdw("rebuild", "--as-of", "2000-01-01", "--out", str(tmp_path / "none"), "--home", str(drill.home))
    assert got.returncode == 1 and "no file had landed by 2000-01-01" in got.stderr


def test_as_of_selects_what_had_landed(drill):
    from pilotdw.orchestration.release import entries_as_of
    from pilotdw.sources.archive import read_manifest

    everything = read_manifest(drill.home / "archive")
    day = everything[0].archived_at[:10]
    assert entries_as_of(drill.home / "archive", day) == [e for e in everything if e.archived_at[:10] <= day]
    assert entries_as_of(drill.home / "archive", "2000-01-01") == []
