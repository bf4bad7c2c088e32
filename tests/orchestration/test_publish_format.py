"""Publishing keeps the promise to older DuckDB clients whichever format the build was made in: a
build already in the published format is copied as a file, any other is copied table by table."""
from __future__ import annotations

import duckdb
import pytest

from pilotdw.orchestration.publish import PUBLISHED_STORAGE_VERSION, new_build_config, publish, start_build


def _storage(path) -> str:
    with duckdb.connect() as con:
        con.execute(f"ATTACH '{path}' AS w (READ_ONLY)")
        return con.execute("SELECT tags['storage_version'] FROM duckdb_databases() WHERE database_name = 'w'").fetchone()[0]


@pytest.mark.parametrize("in_published_format", ["1", "0"])
def test_the_published_copy_is_readable_by_older_clients_and_marked_published(tmp_path, monkeypatch, in_published_format):
    monkeypatch.setenv("PILOTDW_BUILD_IN_PUBLISHED_FORMAT", in_published_format)
    build = tmp_path / "builds" / "b1.duckdb"
    build.parent.mkdir()
    with duckdb.connect(str(build), config=new_build_config()) as con:
        start_build(con, "b1", "b1", "fp")
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.t AS SELECT range AS n FROM range(1000)")
        con.execute("CREATE VIEW marts.v AS SELECT count(*) AS c FROM marts.t")
    assert _storage(build) == (f"{PUBLISHED_STORAGE_VERSION}+" if in_published_format == "1" else "v2.0.0+")
    warehouse = tmp_path / "warehouse.duckdb"
    publish(build, None, warehouse, tmp_path / "reports")
    assert _storage(warehouse) == f"{PUBLISHED_STORAGE_VERSION}+"
    with duckdb.connect(str(warehouse), read_only=True) as con:
        assert con.execute("SELECT c FROM marts.v").fetchone() == (1000,)
        assert con.execute("SELECT published_at IS NOT NULL FROM audit.builds").fetchone() == (True,)
    with duckdb.connect(str(build), read_only=True) as con:  # the build itself is not marked
        assert con.execute("SELECT published_at IS NULL FROM audit.builds").fetchone() == (True,)
