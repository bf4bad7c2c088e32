"""Are two published warehouses the same, table by table? (issue 17: no result changes.)

    .venv/bin/python -m bench.compare_marts HOME_A/warehouse.duckdb HOME_B/warehouse.duckdb

Compares every table of the marts, intermediate, raw and seeds schemas and audit.loads/quarantine as
multisets of rows (EXCEPT ALL both ways), leaving out the columns that differ between any two
builds by design (build and load times, run ids). Exit 1 on any difference. Not a test.
"""
from __future__ import annotations

import sys

import duckdb

SCHEMAS = ("marts", "intermediate", "staging", "raw", "main_seeds", "seeds")
AUDIT = ("loads", "quarantine")
PER_BUILD = {"loaded_at", "archived_at", "run_id", "build_id", "checked_at", "published_at", "started_at", "finished_at"}


def tables(con, alias: str) -> set[tuple[str, str]]:
    rows = con.execute(f"SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = '{alias}'").fetchall()
    rows += con.execute(f"SELECT schema_name, view_name FROM duckdb_views() WHERE database_name = '{alias}' AND NOT internal").fetchall()
    return {(s, t) for s, t in rows if s in SCHEMAS or (s == "audit" and t in AUDIT)}


def main(a: str, b: str) -> int:
    con = duckdb.connect()
    con.execute(f"ATTACH '{a}' AS a (READ_ONLY)")
    con.execute(f"ATTACH '{b}' AS b (READ_ONLY)")
    ta, tb = tables(con, "a"), tables(con, "b")
    differ = 0
    for missing in sorted(ta ^ tb):
        print(f"only in {'a' if missing in ta else 'b'}: {missing[0]}.{missing[1]}")
        differ += 1
    for schema, table in sorted(ta & tb):
        cols = [c for (c,) in con.execute(
            "SELECT column_name FROM duckdb_columns() WHERE database_name = 'a' AND schema_name = ? AND table_name = ? ORDER BY column_index",
            [schema, table]).fetchall() if c not in PER_BUILD]
        select = ", ".join(f'"{c}"' for c in cols)
        n = con.execute(f'SELECT count(*) FROM a.{schema}."{table}"').fetchall()[0][0]
        only_a = con.execute(f'SELECT count(*) FROM (SELECT {select} FROM a.{schema}."{table}" EXCEPT ALL SELECT {select} FROM b.{schema}."{table}")').fetchall()[0][0]
        only_b = con.execute(f'SELECT count(*) FROM (SELECT {select} FROM b.{schema}."{table}" EXCEPT ALL SELECT {select} FROM a.{schema}."{table}")').fetchall()[0][0]
        same = only_a == only_b == 0
        differ += not same
        print(f"{'same' if same else 'DIFFERENT':<9} {schema}.{table}: {n:,} rows" + ("" if same else f" ({only_a} only in a, {only_b} only in b)"))
    print(f"{len(ta & tb)} tables compared, {differ} differ")
    return 1 if differ else 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
