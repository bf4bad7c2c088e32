"""The floor pilotdw is compared with, measured on the same data in the same benchmark run:

- ingest floor: DuckDB's own read_csv of the same landed csv/tsv files into one table per source
  (types sniffed by DuckDB, unreadable rows skipped) — no cell rules, no quarantine, no audit;
- dbt floor: the SQL dbt compiles for every model, executed in dependency order in one DuckDB
  connection over a copy of the build's raw, audit and seed tables (no dbt process, no adapter,
  no per-node bookkeeping); dbt's data tests likewise, timed apart.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from graphlib import TopologicalSorter
from pathlib import Path

import duckdb

from pilotdw import settings
from bench.landing import landed_files

# Tables a dbt build reads but does not create: copied from the pilotdw build, not timed.
_INPUT_SCHEMAS = ("raw", "audit", "seeds")
# dbt's own schema for the build target (dbt_project/profiles.yml: schema main).
FLOOR_DB_NAME = "floor"


def ingest_floor(landing: Path, work: Path) -> dict:
    """Seconds for DuckDB to read every landed file into raw tables, and the rows it read."""
    db = work / "ingest_floor.duckdb"
    _remove_db(db)
    rows: dict[str, int] = {}
    started = time.perf_counter()
    with duckdb.connect(str(db)) as con:
        con.execute("CREATE SCHEMA raw")
        for source, files in landed_files(landing).items():
            parts = []
            for suffix, delim in ((".csv", ","), (".tsv", "\t")):
                chosen = [str(f) for f in files if f.suffix.lower() == suffix]
                if chosen:
                    parts.append(
                        f"SELECT * FROM read_csv({_sql_list(chosen)}, delim = '{delim}', header = true, "
                        "union_by_name = true, filename = true, ignore_errors = true)"
                    )
            if parts:
                con.execute(f"CREATE TABLE raw.{source} AS " + " UNION ALL BY NAME ".join(parts))
                rows[source] = con.execute(f"SELECT count(*) FROM raw.{source}").fetchall()[0][0]
        con.execute("CHECKPOINT")
    seconds = time.perf_counter() - started
    _remove_db(db)
    return {"seconds": round(seconds, 3), "rows": rows}


def compile_models(build_db: Path, work: Path) -> tuple[Path, dict]:
    """A floor database holding the build's input tables, and dbt's manifest with the SQL it compiles
    for that database (dbt compile: not timed — the floor is executing the SQL, not producing it)."""
    work, build_db = work.resolve(), build_db.resolve()
    floor_db = work / f"{FLOOR_DB_NAME}.duckdb"
    _copy_inputs(build_db, floor_db)
    target = work / "dbt_target"
    shutil.rmtree(target, ignore_errors=True)
    env = {**os.environ, "PILOTDW_DB_PATH": str(floor_db), "DBT_TARGET_PATH": str(target), "DBT_LOG_PATH": str(target),
           "DO_NOT_TRACK": "1", "DBT_SEND_ANONYMOUS_USAGE_STATS": "false"}
    dbt = Path(sys.executable).with_name("dbt")
    subprocess.run(
        [str(dbt), "compile", "--quiet", "--vars", settings.dbt_vars(),
         "--project-dir", str(settings.DBT_PROJECT_DIR), "--profiles-dir", str(settings.DBT_PROJECT_DIR), "--target", "build"],
        check=True, env=env, cwd=settings.DBT_PROJECT_DIR, stdout=subprocess.DEVNULL,
    )
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return floor_db, manifest


def dbt_floor(build_db: Path, floor_db: Path, manifest: dict) -> dict:
    """Seconds to execute every model's compiled SQL in order in one connection, then every data
    test's compiled SQL; on a fresh copy of the inputs each time."""
    _copy_inputs(build_db, floor_db)
    nodes = manifest["nodes"]
    models = {uid: n for uid, n in nodes.items() if n["resource_type"] == "model" and n["config"].get("enabled", True)}
    order = TopologicalSorter({uid: [d for d in n["depends_on"]["nodes"] if d in models] for uid, n in models.items()}).static_order()
    tests = [n for n in nodes.values() if n["resource_type"] == "test" and n.get("compiled_code")]
    with duckdb.connect(str(floor_db)) as con:
        started = time.perf_counter()
        for schema in sorted({n["schema"] for n in models.values()}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for uid in order:
            node = models[uid]
            kind = "VIEW" if node["config"]["materialized"] == "view" else "TABLE"
            con.execute(f"CREATE OR REPLACE {kind} {node['relation_name']} AS {node['compiled_code']}")
        con.execute("CHECKPOINT")
        models_s = time.perf_counter() - started
        started = time.perf_counter()
        failing = 0
        for test in tests:
            failing += con.execute(f"SELECT count(*) FROM ({test['compiled_code']}) AS t").fetchall()[0][0] > 0
        tests_s = time.perf_counter() - started
    return {"models_s": round(models_s, 3), "tests_s": round(tests_s, 3), "seconds": round(models_s + tests_s, 3),
            "models": len(models), "tests": len(tests), "failing_tests": int(failing)}


def _copy_inputs(build_db: Path, floor_db: Path) -> None:
    _remove_db(floor_db)
    with duckdb.connect(str(floor_db)) as con:
        con.execute(f"ATTACH '{build_db}' AS build (READ_ONLY)")
        tables = con.execute(
            "SELECT schema_name, table_name FROM duckdb_tables() WHERE database_name = 'build' AND schema_name IN "
            + _sql_list(_INPUT_SCHEMAS)
        ).fetchall()
        for schema in sorted({s for s, _ in tables}):
            con.execute(f'CREATE SCHEMA IF NOT EXISTS "{schema}"')
        for schema, table in tables:
            con.execute(f'CREATE TABLE "{schema}"."{table}" AS SELECT * FROM build."{schema}"."{table}"')
        con.execute("DETACH build")
        con.execute("CHECKPOINT")


def _remove_db(path: Path) -> None:
    path.unlink(missing_ok=True)
    Path(f"{path}.wal").unlink(missing_ok=True)


def _sql_list(items) -> str:
    return "[" + ", ".join("'" + str(i).replace("'", "''") + "'" for i in items) + "]"
