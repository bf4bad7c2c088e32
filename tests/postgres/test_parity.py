"""One dbt project, two engines (issue 16): the demo landing through `pilotdw run` into a DuckDB file
and through `pilotdw run --warehouse postgresql://…` into PostgreSQL gives the same marts, table by
table, row for row (floats to 1e-9), and the dbt unit tests pass on PostgreSQL too.

The landing is `pilotdw demo-data` at PILOTDW_PARITY_SCALE (default 1: the demo landing itself,
~30,000 raw rows; both runs take a few minutes on a shared machine). The PostgreSQL database is
created with a Chinese collation (ICU 'zh', as a server in China may well be set up) when the
server has ICU: text then sorts by pinyin there and by code point in DuckDB, and the marts must
not care. Rows are compared after sorting in Python on their non-float columns (every mart's key
is among them), not with ORDER BY, for the same reason.
"""
from __future__ import annotations

import json
import math
import os
import secrets
import subprocess
import sys
from datetime import date, datetime
from pathlib import Path

import pytest

from pilotdw import settings
from tests.e2e.conftest import Run, pilotdw, run_pipeline
from tests.postgres.conftest import PgDatabase

pytestmark = pytest.mark.slow
SCALE = float(os.environ.get("PILOTDW_PARITY_SCALE", "1"))
TOLERANCE = 1e-9


def _marts_in_manifest() -> list[str]:
    """The dbt models configured into the marts schema (the manifest `make setup` parses)."""
    manifest = json.loads((Path(settings.DBT_PROJECT_DIR) / "target" / "manifest.json").read_text(encoding="utf-8"))
    return sorted(node["name"] for node in manifest["nodes"].values()
                  if node["resource_type"] == "model" and node["config"].get("schema") == "marts")


MARTS = _marts_in_manifest()


@pytest.fixture(scope="module")
def zh_database(pg_server):
    """A fresh database collating text by Chinese rules (ICU 'zh'), or by the server's default
    when the server was built without ICU (said on stdout)."""
    dbname = f"pilotdw_parity_{os.getpid()}_{secrets.token_hex(3)}"
    with pg_server.connect(autocommit=True) as con:
        try:
            con.execute(f'CREATE DATABASE "{dbname}" TEMPLATE template0 ENCODING \'UTF8\' LOCALE \'C\' '
                        "LOCALE_PROVIDER icu ICU_LOCALE 'zh'")
        except Exception as why:  # noqa: BLE001 - any refusal: fall back to the default collation
            print(f"parity database without the zh collation: {why}")
            con.execute(f'CREATE DATABASE "{dbname}"')
    yield PgDatabase(pg_server, dbname)
    with pg_server.connect(autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture(scope="module")
def runs(tmp_path_factory, zh_database) -> tuple[Run, Run]:
    """The same landing through the nightly job twice: DuckDB (file mode), then PostgreSQL."""
    root = tmp_path_factory.mktemp("parity")
    landing = root / "landing"
    made = pilotdw("demo-data", str(landing), "--scale", str(SCALE))
    assert made.returncode == 0, made.stderr[-3000:]
    duck = run_pipeline(landing, root / "home_duckdb")
    assert duck.returncode == 0, duck.stdout[-3000:] + duck.stderr[-3000:]
    pg = run_pipeline(landing, root / "home_postgres", "--warehouse", zh_database.url)
    assert pg.returncode == 0, pg.stdout[-3000:] + pg.stderr[-3000:]
    return duck, pg


def _duckdb_table(run: Run, table: str) -> tuple[list[str], list[tuple]]:
    import duckdb

    with duckdb.connect(str(run.warehouse), read_only=True) as con:
        cursor = con.execute(f'SELECT * FROM marts."{table}"')
        return [d[0] for d in cursor.description], cursor.fetchall()


def _postgres_table(pg_database, table: str) -> tuple[list[str], list[tuple]]:
    with pg_database.connect() as con:
        cursor = con.execute(f'SELECT * FROM marts."{table}"')
        return [d.name for d in cursor.description], cursor.fetchall()


def _is_float(value) -> bool:
    return isinstance(value, float)


def _sort_key(row: tuple, float_columns: set[int]) -> tuple:
    """Non-float columns in column order, NULLs first; a total order across both engines."""
    key = []
    for i, value in enumerate(row):
        if i in float_columns:
            continue
        if isinstance(value, list):
            value = tuple("" if v is None else v for v in value)
        key.append((value is not None, value if value is not None else 0))
    return tuple(key)


def _same(a, b) -> bool:
    if a is None or b is None:
        return a is None and b is None
    if _is_float(a) or _is_float(b):
        return isinstance(a, (int, float)) and isinstance(b, (int, float)) and (
            (math.isnan(a) and math.isnan(b)) or math.isclose(a, b, rel_tol=TOLERANCE, abs_tol=TOLERANCE))
    if isinstance(a, datetime) or isinstance(b, datetime) or isinstance(a, date) or isinstance(b, date):
        return type(a) is type(b) and a == b
    return type(a) is type(b) and a == b


def _published_marts(duck: Run, database) -> tuple[list[str], list[str]]:
    import duckdb

    query = "SELECT table_name FROM information_schema.tables WHERE table_schema = 'marts'"
    with duckdb.connect(str(duck.warehouse), read_only=True) as con:
        in_duckdb = sorted(t for (t,) in con.execute(query).fetchall())
    with database.connect() as con:
        in_postgres = sorted(t for (t,) in con.execute(query).fetchall())
    return in_duckdb, in_postgres


def _differences(duck: Run, database, table: str) -> list[str]:
    """What differs between the two engines' marts.<table>; empty when they are the same."""
    duck_columns, duck_rows = _duckdb_table(duck, table)
    pg_columns, pg_rows = _postgres_table(database, table)
    if pg_columns != duck_columns:
        return [f"marts.{table}: columns {duck_columns} in DuckDB, {pg_columns} in PostgreSQL"]
    if len(pg_rows) != len(duck_rows):
        return [f"marts.{table}: {len(duck_rows)} rows in DuckDB, {len(pg_rows)} in PostgreSQL"]
    if not duck_rows:
        return [f"marts.{table} is empty: the comparison would prove nothing"]
    floats = {i for i in range(len(duck_columns)) if any(_is_float(r[i]) for r in duck_rows)}
    duck_rows = sorted(duck_rows, key=lambda r: _sort_key(r, floats))
    pg_rows = sorted(pg_rows, key=lambda r: _sort_key(r, floats))
    return [f"marts.{table}.{column}: DuckDB {a!r} ≠ PostgreSQL {b!r} in row {dict(zip(duck_columns, duck_row))}"
            for duck_row, pg_row in zip(duck_rows, pg_rows)
            for column, a, b in zip(duck_columns, duck_row, pg_row) if not _same(a, b)]


def test_both_runs_publish_the_same_marts(runs, zh_database):
    """The same tables in marts on both engines, every dbt mart among them; a table some other step
    writes into marts (not a dbt model, so not parametrized below) must be the same too."""
    in_duckdb, in_postgres = _published_marts(runs[0], zh_database)
    assert in_postgres == in_duckdb
    assert set(MARTS) <= set(in_duckdb)
    differences = [d for table in in_duckdb if table not in MARTS for d in _differences(runs[0], zh_database, table)]
    assert not differences, f"{len(differences)} differing values; first: " + "; ".join(differences[:5])


@pytest.mark.parametrize("table", MARTS)
def test_mart_is_the_same_row_for_row(runs, zh_database, table):
    differences = _differences(runs[0], zh_database, table)
    assert not differences, f"{len(differences)} differing values; first: " + "; ".join(differences[:5])


def test_dbt_unit_tests_pass_on_postgres(runs, zh_database):
    """The unit tests of models/*/_unit_tests.yml on PostgreSQL: dbt reads the column types of each
    input from its relation, here the published schemas of the PostgreSQL run (no prefix)."""
    server = zh_database.server
    env = {**os.environ, "DO_NOT_TRACK": "1",
           "PILOTDW_PG_HOST": server.host, "PILOTDW_PG_PORT": str(server.port), "PILOTDW_PG_USER": server.user,
           "PILOTDW_PG_PASSWORD": server.password, "PILOTDW_PG_DBNAME": zh_database.dbname,
           "PILOTDW_SCHEMA_PREFIX": ""}
    target = Path(runs[1].home) / "dbt_unit_target"
    dbt = Path(sys.executable).with_name("dbt")
    proc = subprocess.run(
        [str(dbt), "test", "--select", "test_type:unit", "--target", "postgres", "--profiles-dir", ".",
         "--target-path", str(target), "--log-path", str(target), "--vars", settings.dbt_vars()],
        cwd=settings.DBT_PROJECT_DIR, env=env, capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-5000:]
    results = json.loads((target / "run_results.json").read_text(encoding="utf-8"))["results"]
    unit = [r for r in results if r["unique_id"].startswith("unit_test.")]
    assert len(unit) >= 10 and all(r["status"] == "pass" for r in unit), [(r["unique_id"], r["status"]) for r in unit]
