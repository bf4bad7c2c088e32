"""The warehouse on a PostgreSQL server: each build in its own schemas, the raw layer copied in with
COPY, publication by renaming schemas in one transaction, old builds dropped without waiting.

A build's schemas are `<prefix>raw`, `<prefix>audit`, `<prefix>seeds`, `<prefix>staging`,
`<prefix>intermediate`, `<prefix>marts` with prefix `build_<run id>_` (build_prefix). The published
warehouse is the same six schemas without a prefix. Publishing renames the published ones to their
own build's prefix and the new build's to the plain names, and grants the reader roles on them, all
in one transaction: a reader sees the old marts or the new, never a mix, and its running statements
finish on the tables they started on (a rename takes no lock on the tables).
"""
from __future__ import annotations

import re
import tempfile
from collections.abc import Callable
from pathlib import Path

from pilotdw.orchestration.pg_connection import BUILD_SCHEMAS, PgConnection

# Tables the raw step writes into the DuckDB build (sources/raw_schema.sql, audit.builds of
# orchestration/publish.py), copied to the server as they are.
RAW_TABLES = ("raw.registers", "raw.pilots", "raw.assessments", "raw.filings", "audit.loads", "audit.quarantine", "audit.builds")
# How long dropping an old build may wait for a reader still reading it: it is dropped next time.
DROP_LOCK_TIMEOUT = "2s"

_BUILD_SCHEMA = re.compile(r"^(build_[0-9a-z]+_)(" + "|".join(BUILD_SCHEMAS) + r")$")


def build_prefix(run_id: str) -> str:
    """The schema prefix of a run's build (PostgreSQL names are at most 63 bytes)."""
    return "build_" + re.sub(r"[^0-9a-z]", "", run_id.lower())[:24] + "_"


def pg_ddl(duckdb_ddl: str, prefix: str) -> str:
    """DuckDB DDL of the raw layer as PostgreSQL DDL in the build's schemas: DuckDB's DOUBLE is
    PostgreSQL's DOUBLE PRECISION; VARCHAR, VARCHAR[], JSON, DATE, TIMESTAMP mean the same."""
    from pilotdw.orchestration.pg_connection import translate

    ddl = re.sub(r"\bDOUBLE\b(?! PRECISION)", "DOUBLE PRECISION", duckdb_ddl)
    return translate(ddl, prefix, with_params=False)


def raw_layer_ddl() -> str:
    """The DuckDB DDL of every table RAW_TABLES names: the raw layer's and audit.builds."""
    from pilotdw import settings
    from pilotdw.orchestration.publish import BUILDS_DDL

    return settings.RAW_SCHEMA_SQL.read_text(encoding="utf-8") + ";\n" + BUILDS_DDL


def _csv_select(duck, table: str) -> tuple[list[str], str]:
    """Columns of a DuckDB table and a SELECT of them as PostgreSQL's CSV COPY reads them: lists
    written as PostgreSQL array literals, the rest as DuckDB writes CSV."""
    schema, name = table.split(".")
    columns = duck.execute(
        "SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position",
        [schema, name],
    ).fetchall()
    selected = []
    for column, data_type in columns:
        ident = '"' + column.replace('"', '""') + '"'
        if data_type.endswith("[]"):
            element = ("CASE WHEN x IS NULL THEN 'NULL' ELSE '\"' || replace(replace(x::VARCHAR, '\\', '\\\\'), '\"', '\\\"') || '\"' END")
            selected.append(f"CASE WHEN {ident} IS NULL THEN NULL ELSE '{{' || array_to_string(list_transform({ident}, lambda x: {element}), ',') || '}}' END AS {ident}")
        else:
            selected.append(ident)
    return [c for c, _ in columns], f"SELECT {', '.join(selected)} FROM {table}"


def copy_raw_layer(build_db: Path, pg: PgConnection, ddl: str | None = None, say: Callable[[str], None] = lambda _m: None) -> dict[str, int]:
    """Copy the raw layer of the DuckDB build into the server build's schemas with COPY: DuckDB
    writes each table as CSV (its own fast writer, lists as PostgreSQL arrays), psycopg streams the
    file into COPY … FROM STDIN. Returns rows per table."""
    import duckdb

    pg.execute(pg_ddl(ddl or raw_layer_ddl(), pg.prefix))
    copied: dict[str, int] = {}
    with duckdb.connect(str(build_db), read_only=True) as duck, tempfile.TemporaryDirectory(dir=build_db.parent) as tmp:
        for table in RAW_TABLES:
            columns, select = _csv_select(duck, table)
            if not columns:
                continue
            path = Path(tmp) / f"{table}.csv"
            duck.execute(f"COPY ({select}) TO '{path}' (FORMAT csv, HEADER false)")
            schema, name = table.split(".")
            listed = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
            with pg.conn.cursor() as cur:
                with cur.copy(f'COPY "{pg.prefix}{schema}"."{name}" ({listed}) FROM STDIN (FORMAT csv)') as copy, path.open("rb") as fh:
                    while chunk := fh.read(1 << 20):
                        copy.write(chunk)
                copied[table] = cur.rowcount
            path.unlink()
    say(f"postgres: raw layer copied into {pg.prefix}raw / {pg.prefix}audit ({sum(copied.values()):,} rows)")
    return copied


def drop_build(pg: PgConnection, prefix: str) -> None:
    """Drop every schema of a build (a failed one before it is retried, or pruned)."""
    for schema in BUILD_SCHEMAS:
        pg.conn.execute(f'DROP SCHEMA IF EXISTS "{prefix}{schema}" CASCADE')


def published_build_id(pg_published: PgConnection) -> str | None:
    """The build id (run id) of the published warehouse, from its audit.builds."""
    if not _schema_exists(pg_published, "audit"):
        return None
    found = pg_published.conn.execute(
        "SELECT build_id FROM audit.builds ORDER BY published_at DESC NULLS LAST, started_at DESC NULLS LAST LIMIT 1"
    ).fetchone() if _table_exists(pg_published, "audit", "builds") else None
    return found[0] if found else None


def _schema_exists(pg: PgConnection, schema: str) -> bool:
    return pg.conn.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [schema]).fetchone() is not None


def _table_exists(pg: PgConnection, schema: str, table: str) -> bool:
    return pg.conn.execute("SELECT to_regclass(%s) IS NOT NULL", [f'"{schema}"."{table}"']).fetchone()[0]


def publish_build(pg: PgConnection, prefix: str, grant: Callable[[object], None]) -> str | None:
    """Make the build `prefix` the published warehouse in one transaction: the published schemas
    renamed to their own build's prefix (kept, pruned later), the build's renamed to the plain
    names, `grant(conn)` run on them (roles, row-level security), audit.builds stamped. Returns the
    prefix the previous warehouse now has (None when there was none)."""
    conn = pg.conn
    previous = published_build_id(PgConnection(conn, ""))
    retired = build_prefix(previous) if previous else None
    if retired == prefix or retired is None and any(_schema_exists(pg, s) for s in BUILD_SCHEMAS):
        # a published warehouse with no audit.builds (made by hand), or re-publishing the same id
        retired = "retired_" + conn.execute("SELECT to_char(clock_timestamp(), 'YYYYMMDDHH24MISSUS')").fetchone()[0] + "_"
    with conn.transaction():
        for schema in BUILD_SCHEMAS:
            if _schema_exists(pg, schema):
                conn.execute(f'DROP SCHEMA IF EXISTS "{retired}{schema}" CASCADE')
                conn.execute(f'ALTER SCHEMA "{schema}" RENAME TO "{retired}{schema}"')
        for schema in BUILD_SCHEMAS:
            if _schema_exists(pg, f"{prefix}{schema}"):
                conn.execute(f'ALTER SCHEMA "{prefix}{schema}" RENAME TO "{schema}"')
        conn.execute("UPDATE audit.builds SET published_at = now()::timestamp")
        grant(conn)
    return retired


def build_prefixes(pg: PgConnection) -> dict[str, float]:
    """Every build (and retired warehouse) on the server, prefix → when it started (epoch seconds;
    0 when it never recorded a start)."""
    prefixes: dict[str, float] = {}
    for (name,) in pg.conn.execute("SELECT nspname FROM pg_namespace WHERE nspname LIKE 'build\\_%' OR nspname LIKE 'retired\\_%'").fetchall():
        m = _BUILD_SCHEMA.match(name) or re.match(r"^(retired_[0-9]+_)(" + "|".join(BUILD_SCHEMAS) + r")$", name)
        if m:
            prefixes.setdefault(m.group(1), 0.0)
    for prefix in prefixes:
        if _table_exists(pg, f"{prefix}audit", "builds"):
            started = pg.conn.execute(f'SELECT extract(epoch FROM max(started_at)) FROM "{prefix}audit".builds').fetchone()[0]
            prefixes[prefix] = float(started or 0)
    return prefixes


def prune_builds(pg: PgConnection, keep: int, protect: set[str]) -> tuple[list[str], list[str]]:
    """Drop all but the newest `keep` builds, never one in `protect`. Each build is dropped in its
    own transaction with a lock_timeout: a build a long reader still holds is left for next time, so
    a reader never holds up a run. Returns (dropped, left for later)."""
    import psycopg

    ordered = sorted(build_prefixes(pg).items(), key=lambda kv: kv[1], reverse=True)
    dropped, waiting = [], []
    for prefix, _ in ordered[keep:]:
        if prefix in protect:
            continue
        try:
            with pg.conn.transaction():
                pg.conn.execute(f"SET LOCAL lock_timeout = '{DROP_LOCK_TIMEOUT}'")
                drop_build(pg, prefix)
            dropped.append(prefix)
        except psycopg.errors.LockNotAvailable:
            waiting.append(prefix)
    return dropped, waiting


def write_table(pg: PgConnection, schema: str, name: str, frame) -> int:
    """Replace `<prefix><schema>.<name>` with a pandas DataFrame, through COPY: the table is
    created from the frame's dtypes (text for anything else), rows streamed as CSV."""
    import io

    types = {"int": "BIGINT", "float": "DOUBLE PRECISION", "bool": "BOOLEAN", "datetime": "TIMESTAMP"}

    def pg_type(dtype) -> str:
        kind = str(dtype).lower()
        return next((t for k, t in types.items() if kind.startswith(k) or kind.startswith(k.capitalize())), "VARCHAR")

    qualified = f'"{pg.prefix}{schema}"."{name}"'
    columns = ", ".join(f'"{c}" {pg_type(frame[c].dtype)}' for c in frame.columns)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, header=False, na_rep="", date_format="%Y-%m-%d %H:%M:%S.%f")
    with pg.conn.transaction():
        pg.conn.execute(f'CREATE SCHEMA IF NOT EXISTS "{pg.prefix}{schema}"')
        pg.conn.execute(f"DROP TABLE IF EXISTS {qualified}")
        pg.conn.execute(f"CREATE TABLE {qualified} ({columns})")
        listed = ", ".join(f'"{c}"' for c in frame.columns)
        with pg.conn.cursor() as cur, cur.copy(f"COPY {qualified} ({listed}) FROM STDIN (FORMAT csv)") as copy:
            copy.write(buffer.getvalue())
    return len(frame)
