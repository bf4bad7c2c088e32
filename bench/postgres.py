"""The PostgreSQL server of the benchmark's `postgres` scenario: PILOTDW_BENCH_PG_URL (a superuser's
postgresql://… URL), else the machine's own cluster (Debian's, as the tests use it), started if it is
down, with a superuser made for the benchmark. Each run gets a fresh database."""
from __future__ import annotations

import os
import secrets
from urllib.parse import urlsplit, urlunsplit

BENCH_ROLE = "pilotdw_bench"


def server_url() -> tuple[str | None, str]:
    """(a superuser's URL of the server's `postgres` database, or None; why not / which server)."""
    given = os.environ.get("PILOTDW_BENCH_PG_URL")
    if given:
        return given, "PILOTDW_BENCH_PG_URL"
    from tests.postgres.conftest import _as_postgres, _start_local_cluster

    if os.geteuid() != 0:
        return None, "set PILOTDW_BENCH_PG_URL (the local cluster is administered as root)"
    port, why_not = _start_local_cluster()
    if why_not:
        return None, why_not
    password = secrets.token_hex(16)
    made = _as_postgres("psql", "-p", str(port), "-v", "ON_ERROR_STOP=1", "-qc",
                        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{BENCH_ROLE}') THEN "
                        f"CREATE ROLE {BENCH_ROLE} LOGIN SUPERUSER; END IF; END $$; ALTER ROLE {BENCH_ROLE} PASSWORD '{password}'")
    if made.returncode != 0:
        return None, made.stderr.strip()
    return f"postgresql://{BENCH_ROLE}:{password}@127.0.0.1:{port}/postgres", f"local cluster on port {port}"


def fresh_database(admin_url: str, name: str) -> str:
    """Drop and create database `name`; its URL."""
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        con.execute(f'CREATE DATABASE "{name}"')
    parts = urlsplit(admin_url)
    return urlunsplit(parts._replace(path=f"/{name}"))


def server_version(admin_url: str) -> str:
    import psycopg

    with psycopg.connect(admin_url) as con:
        return con.execute("SHOW server_version").fetchone()[0]

