"""The PostgreSQL engine's parts on a real server, without a pipeline run: the connection the gates
and reports use (schema names of a build, `?` parameters, information_schema), the raw layer's
COPY, write_table, and the portable SQL of the gates giving DuckDB's answers."""
from __future__ import annotations

import json
import math
from datetime import date, datetime

import duckdb
import pandas as pd
import pytest

from pilotdw import settings

from pilotdw.orchestration.pg_connection import connect, translate
from pilotdw.orchestration.pg_warehouse import build_prefix, copy_raw_layer, drop_build, write_table


def test_translate_maps_build_schemas_outside_literals_and_comments():
    sql = "-- it's raw.x\nCREATE SCHEMA IF NOT EXISTS audit; SELECT 'marts.t', \"marts\".t, raw.y, a % 2 FROM x WHERE k = ?"
    got = translate(sql, "build_a_", with_params=True)
    assert got == ("\nCREATE SCHEMA IF NOT EXISTS \"build_a_audit\"; SELECT 'marts.t', \"build_a_marts\".t, "
                   "\"build_a_raw\".y, a %% 2 FROM x WHERE k = %s")
    assert translate("SELECT * FROM marts.t", "", with_params=False) == "SELECT * FROM marts.t"
    assert build_prefix("9c840137-7ef1-4b4b-afd9-5fb13ec002d2") == "build_9c8401377ef14b4bafd95fb1_"


def test_the_connection_reads_a_build_under_plain_schema_names(fresh_database, tmp_path):
    build_db = tmp_path / "b.duckdb"
    with duckdb.connect(str(build_db)) as duck:
        duck.execute((__import__("settings").RAW_SCHEMA_SQL).read_text(encoding="utf-8"))
        from pilotdw.orchestration.publish import BUILDS_DDL

        duck.execute(BUILDS_DDL)
        duck.execute("""INSERT INTO raw.pilots (name, name_key, category, locality_code, year, batch, source_file, file_hash, row_number, loaded_at, extra)
                        VALUES ('甲 "公司"', 'k', ['示范企业', 'a\\b', NULL], '310000', 2024, 1, 'pilots/x.csv', 'h', 3, now()::TIMESTAMP, '{"备注": "x,y"}'),
                               ('', 'k2', NULL, '310000', 2024, 1, 'pilots/x.csv', 'h', 4, now()::TIMESTAMP, NULL)""")
        duck.execute("""INSERT INTO audit.builds (build_id, run_id, source_files) VALUES ('r1', 'r1', ['a.csv', 'b,c.csv'])""")
        expected = duck.execute("SELECT name, category, extra::VARCHAR FROM raw.pilots ORDER BY row_number").fetchall()
    with connect(fresh_database.url, "build_t_") as pg:
        copied = copy_raw_layer(build_db, pg)
        assert copied["raw.pilots"] == 2 and copied["audit.builds"] == 1 and copied["raw.registers"] == 0
        got = pg.execute("SELECT name, category, extra::text FROM raw.pilots WHERE year = ? ORDER BY row_number", [2024]).fetchall()
        assert [(n, c) for n, c, _ in got] == [(n, c) for n, c, _ in expected]
        assert got[1][0] == ""  # an empty string stays empty, not NULL
        assert [json.loads(e) if e else None for _, _, e in got] == [{"备注": "x,y"}, None]
        assert pg.execute("SELECT source_files FROM audit.builds").fetchone() == (["a.csv", "b,c.csv"],)
        tables = {r[0] for r in pg.execute("SELECT table_schema || '.' || table_name FROM information_schema.tables").fetchall()}
        assert {"raw.pilots", "audit.loads", "audit.builds"} <= tables
        frame = pd.DataFrame({"locality_code": ["310000", None], "effect": [0.25, math.nan], "n": [3, 4],
                              "on": [datetime(2024, 1, 2, 3, 4, 5), datetime(2025, 1, 1)], "ok": [True, False]})
        assert write_table(pg, "marts", "pilot_effect", frame) == 2
        back = pg.execute("SELECT * FROM marts.pilot_effect ORDER BY n").df()
        assert back["locality_code"][0] == "310000" and pd.isna(back["locality_code"][1]) and back["n"].tolist() == [3, 4]
        assert back["effect"][0] == 0.25 and pd.isna(back["effect"][1])
        assert back["on"].tolist() == [datetime(2024, 1, 2, 3, 4, 5), datetime(2025, 1, 1)] and back["ok"].tolist() == [True, False]
        assert pg.comment("marts", "pilot_effect") is None
        drop_build(pg, "build_t_")
        assert pg.execute("SELECT count(*) FROM pg_namespace WHERE nspname LIKE 'build\\_t\\_%'").fetchone()[0] == 0


@pytest.mark.parametrize("kind", ["indicator_fold_change", "quarantine_share"])
def test_the_gates_portable_sql_gives_the_same_frame_on_both_engines(fresh_database, kind):
    """A derived gate frame (fold change: lateral VALUES unpivot, rounding, infinity) computed by
    DuckDB and by PostgreSQL from the same rows."""
    from pilotdw.expectations.checks import check_specs
    from pilotdw.expectations.plans import plan_for

    spec = next(s for s in check_specs() if s.kind == kind)
    plan = plan_for(spec, date(2025, 6, 1))
    schema, table = spec.table.split(".")
    tables: list[tuple[str, str, list[tuple]]] = []  # (qualified name, DDL, rows)
    if kind == "indicator_fold_change":
        # metrics.md's rule on the filings of Y-1 and Y behind the mart's enterprise-years: 2 -> 0
        # (not tenfold), 0 -> 50 and 5 -> 50 (tenfold), 4 -> 40 (not), a NULL year (not judged)
        indicators = list(settings.indicators())
        cells = [(2.0, 0.0), (0.0, 50.0), (5.0, 50.0), (4.0, 40.0), (None, 7.0), (7.7, 77.0)]
        filings = []
        for k, uscc in enumerate(("u1", "u2")):
            prev = [cells[(i + k) % len(cells)][0] for i in range(len(indicators))]
            cur = [cells[(i + k) % len(cells)][1] for i in range(len(indicators))]
            filings += [(uscc, 2023, *prev), (uscc, 2024, *cur)]
        values = spec.params.get("values", "intermediate.int_filings_latest")
        tables.append((spec.table, f"CREATE TABLE {spec.table} (uscc VARCHAR, locality_code VARCHAR, year INTEGER)",
                       [("u1", "310000", 2024), ("u2", "110000", 2024)]))
        tables.append((values, f"CREATE TABLE {values} (uscc VARCHAR, data_year INTEGER, "
                       + ", ".join(f'"{c}" DOUBLE PRECISION' for c in indicators) + ")", filings))
    else:
        rows = [("registers", "loaded", 10, 1), ("registers", "loaded", 0, 0), ("pilots", "loaded", 4, 4), ("filings", "rejected", 5, 0)]
        tables.append((spec.table, f"CREATE TABLE {schema}.{table} (source VARCHAR, status VARCHAR, rows_read INTEGER, rows_quarantined INTEGER)", rows))
    with duckdb.connect() as duck, connect(fresh_database.url) as pg:
        for con in (duck, pg):
            for name, ddl, rows in tables:
                con.execute(f"CREATE SCHEMA IF NOT EXISTS {name.split('.')[0]}")
                con.execute(ddl)
                con.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' for _ in rows[0])})", rows)
        on_duck = duck.execute(plan.fetch_sql).fetchall()
        on_pg = pg.execute(plan.fetch_sql).fetchall()
    assert on_duck and len(on_pg) == len(on_duck)

    def key(row):  # text order differs between the engines' collations: compare as sets of rows
        return [str(x) for x in row if not isinstance(x, float)]

    for a, b in zip(sorted(on_duck, key=key), sorted(on_pg, key=key)):
        assert [x for x in a if not isinstance(x, float)] == [x for x in b if not isinstance(x, float)]
        for x, y in zip(a, b):
            if isinstance(x, float):
                assert (math.isinf(x) and x == y) or math.isclose(x, y, rel_tol=1e-12)


def test_each_engine_gives_dbt_its_own_schema_prefix(monkeypatch, tmp_path):
    """dbt reads the prefix from os.environ: after a PostgreSQL run in the same process (the daemon,
    the UI) a file-mode build must not inherit it."""
    import os

    from pilotdw.orchestration.resources import PilotdwHome

    monkeypatch.setenv("PILOTDW_SCHEMA_PREFIX", "build_left_over_")
    on_server = PilotdwHome(landing=str(tmp_path), home=str(tmp_path), warehouse_url="postgresql://u:secret@db:5433/w")
    env = on_server.engine().dbt_environment("9c840137-7ef1")
    assert env["PILOTDW_SCHEMA_PREFIX"] == "build_9c8401377ef1_" and env["PILOTDW_PG_PORT"] == "5433" and env["PILOTDW_PG_DBNAME"] == "w"
    assert on_server.engine().describe() == "postgresql://u:***@db:5433/w"
    os.environ.update(PilotdwHome(landing=str(tmp_path), home=str(tmp_path)).engine().dbt_environment("r"))
    assert os.environ["PILOTDW_SCHEMA_PREFIX"] == ""
