"""A real PostgreSQL server for the PostgreSQL-engine tests: the machine's cluster (Debian's
`postgresql`, installed by scripts/install-postgres.sh from `make test`), started here if it is down,
with a fresh superuser role and a fresh database for each test session (each xdist worker).

PILOTDW_TEST_PG_URL (postgresql://superuser:password@host:port/postgres) points the tests at another
server instead. The tests are skipped, with the reason printed, only when no server can be started.
"""
from __future__ import annotations

import os
import secrets
import shutil
import subprocess
import time
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

import pytest


@dataclass(frozen=True)
class PgServer:
    host: str
    port: int
    user: str  # a superuser of this session
    password: str

    def url(self, dbname: str, user: str | None = None, password: str | None = None) -> str:
        who = quote(user or self.user, safe="")
        secret = quote(self.password if password is None else password, safe="")
        return f"postgresql://{who}:{secret}@{self.host}:{self.port}/{dbname}"

    def connect(self, dbname: str = "postgres", **kwargs):
        import psycopg

        return psycopg.connect(self.url(dbname), **kwargs)


@dataclass(frozen=True)
class PgDatabase:
    server: PgServer
    dbname: str

    @property
    def url(self) -> str:
        """The superuser's URL of this database: what `pilotdw run --warehouse` is given."""
        return self.server.url(self.dbname)

    def connect(self, **kwargs):
        return self.server.connect(self.dbname, **kwargs)


def _cluster() -> tuple[str, str, int, str] | None:
    """(version, name, port, status) of the machine's first PostgreSQL cluster, if there is one."""
    if not shutil.which("pg_lsclusters"):
        return None
    out = subprocess.run(["pg_lsclusters", "--no-header"], capture_output=True, text=True).stdout.split("\n")
    for line in out:
        parts = line.split()
        if len(parts) >= 4:
            return parts[0], parts[1], int(parts[2]), parts[3]
    return None


def _as_postgres(*cmd: str) -> subprocess.CompletedProcess:
    """Run a command as the cluster's OS user (peer authentication over the local socket)."""
    if os.geteuid() == 0:
        cmd = ("runuser", "-u", "postgres", "--", *cmd)
    return subprocess.run(cmd, capture_output=True, text=True, timeout=60)


def _start_local_cluster() -> tuple[int, str | None]:
    """Start the machine's cluster if it is down; (port, why not) — why is None when it runs."""
    found = _cluster()
    if found is None:
        return 0, "no PostgreSQL cluster on this machine (run scripts/install-postgres.sh, or set PILOTDW_TEST_PG_URL)"
    version, name, port, status = found
    if status != "online":
        # Two test workers may both see it down: the second start fails, the wait below still holds.
        subprocess.run(["pg_ctlcluster", version, name, "start"], capture_output=True, text=True, timeout=120)
    for _ in range(60):
        if _as_postgres("pg_isready", "-q", "-p", str(port)).returncode == 0:
            return port, None
        time.sleep(0.5)
    return port, f"PostgreSQL cluster {version}/{name} did not start (see /var/log/postgresql/postgresql-{version}-{name}.log)"


@pytest.fixture(scope="session")
def pg_server() -> PgServer:
    """A superuser of a running server, created for this session (dropped at its end)."""
    given = os.environ.get("PILOTDW_TEST_PG_URL")
    if given:
        url = urlsplit(given)
        return PgServer(url.hostname or "localhost", url.port or 5432, url.username or "postgres", url.password or "")
    if os.geteuid() != 0 and os.environ.get("USER") != "postgres":
        pytest.skip("tests/postgres: the local cluster can only be administered as root or postgres; set PILOTDW_TEST_PG_URL")
    port, why_not = _start_local_cluster()
    if why_not:
        print(f"tests/postgres skipped: {why_not}")
        pytest.skip(why_not)
    user, password = f"pilotdw_test_{os.getpid()}", secrets.token_hex(16)
    made = _as_postgres("psql", "-p", str(port), "-v", "ON_ERROR_STOP=1", "-qc",
                        f"DROP ROLE IF EXISTS {user}; CREATE ROLE {user} LOGIN SUPERUSER PASSWORD '{password}'")
    if made.returncode != 0:
        pytest.skip(f"tests/postgres: could not create a test superuser: {made.stderr.strip()}")
    server = PgServer("127.0.0.1", port, user, password)
    yield server
    _as_postgres("psql", "-p", str(port), "-qc", f"DROP ROLE IF EXISTS {user}")


@pytest.fixture(scope="session")
def pg_database(pg_server: PgServer) -> PgDatabase:
    """A fresh, empty database for this session, owned by the session's superuser."""
    dbname = f"pilotdw_test_{os.getpid()}_{secrets.token_hex(3)}"
    with pg_server.connect(autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{dbname}"')
    yield PgDatabase(pg_server, dbname)
    with pg_server.connect(autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')


@pytest.fixture
def fresh_database(pg_server: PgServer) -> PgDatabase:
    """A fresh database for one test (dropped after it)."""
    dbname = f"pilotdw_t_{os.getpid()}_{secrets.token_hex(4)}"
    with pg_server.connect(autocommit=True) as con:
        con.execute(f'CREATE DATABASE "{dbname}"')
    yield PgDatabase(pg_server, dbname)
    with pg_server.connect(autocommit=True) as con:
        con.execute(f'DROP DATABASE IF EXISTS "{dbname}" WITH (FORCE)')
