"""`pilotdw run --warehouse postgresql://…` on a real PostgreSQL server: write-audit-publish by
schema swap, and the reader and locality roles. One small generated landing, three runs: a clean
one (published; Dagster's run storage on the same server), a blocked one (nothing published may
change), and a forced one published while a reader holds a long transaction."""
from __future__ import annotations

import os
import secrets
import subprocess
from pathlib import Path

import psycopg
import pytest

from tests.e2e.conftest import pilotdw

ROOT = Path(__file__).resolve().parents[2]
ENTERPRISES = int(os.environ.get("PILOTDW_PG_TEST_ENTERPRISES", "150"))
ENTERPRISE_MARTS = ("dim_enterprise", "enterprise_improvement", "enterprise_status_by_year", "fct_pilot_membership")
LOCALITY_MARTS = ("coverage_by_locality_year", "participation_by_locality_year", "regional_effectiveness")
pytestmark = pytest.mark.slow


def checksums(con, schemas=("marts", "audit")) -> dict[str, str]:
    """md5 of every table's rows (as text, ordered) in the schemas: equal checksums, equal tables."""
    tables = con.execute(
        "SELECT table_schema, table_name FROM information_schema.tables WHERE table_schema = ANY(%s) ORDER BY 1, 2",
        [list(schemas)],
    ).fetchall()
    out = {}
    for schema, table in tables:
        q = f'"{schema}"."{table}"'
        out[f"{schema}.{table}"] = con.execute(f"SELECT md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) FROM {q} AS t").fetchone()[0]
    return out


def run(landing: Path, home: Path, url: str, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return pilotdw("run", "--landing", str(landing), "--home", str(home), "--warehouse", url, *extra, env=env, timeout=1200)


@pytest.fixture(scope="module")
def server_db(pg_server):
    """A database of its own for this module, plus one for Dagster's run storage."""
    names = [f"pilotdw_wap_{secrets.token_hex(4)}", f"pilotdw_dagster_{secrets.token_hex(4)}"]
    with pg_server.connect(autocommit=True) as con:
        for name in names:
            con.execute(f'CREATE DATABASE "{name}"')
    yield pg_server.url(names[0]), pg_server.url(names[1])
    with pg_server.connect(autocommit=True) as con:
        for name in names:
            con.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="module")
def story(tmp_path_factory, server_db):
    url, dagster_url = server_db
    base = tmp_path_factory.mktemp("pg")
    landing, home = base / "landing", base / "home"
    gen = pilotdw("demo-data", str(landing), "--enterprises", str(ENTERPRISES))
    assert gen.returncode == 0, gen.stderr
    dagster_env = {"PILOTDW_DAGSTER_CONFIG_DIR": str(ROOT / "deploy" / "postgres"), 
                  # psycopg2: SQLAlchemy 2.1's default driver for postgresql:// is psycopg 3, on which
                  # dagster-postgres' NOTIFY with a bound parameter is a syntax error
                  "PILOTDW_DAGSTER_PG_URL": dagster_url.replace("postgresql://", "postgresql+psycopg2://", 1)}
    first = run(landing, home, url, env=dagster_env)
    assert first.returncode == 0, first.stdout[-3000:] + first.stderr[-3000:]
    with psycopg.connect(url) as con:
        published = checksums(con)
        first_build = con.execute("SELECT build_id FROM audit.builds").fetchone()[0]

    (landing / "registers" / "说明.pdf").write_bytes(b"%PDF-1.4 a scanned cover letter")
    blocked = run(landing, home, url)
    with psycopg.connect(url) as con:
        after_blocked = checksums(con)
    assert pilotdw("withdraw", "registers/说明.pdf", "--reason", "not a submission", "--home", str(home)).returncode == 0
    return {"url": url, "dagster_url": dagster_url, "landing": landing, "home": home, "first": first, "first_build": first_build,
            "published": published, "blocked": blocked, "after_blocked": after_blocked}


def test_the_first_run_publishes_marts_and_audit(story):
    marts = {t for t in story["published"] if t.startswith("marts.")}
    assert {f"marts.{t}" for t in ENTERPRISE_MARTS + LOCALITY_MARTS + ("national_summary", "dim_locality")} <= marts
    with psycopg.connect(story["url"]) as con:
        assert con.execute("SELECT count(*) FROM marts.enterprise_improvement").fetchone()[0] > 0
        # the published audit has the gates of this very run, all block checks passed
        failed = con.execute("SELECT count(*) FROM audit.check_results WHERE run_id = %s AND severity = 'block' AND NOT passed",
                             [story["first_build"]]).fetchone()[0]
        ran = con.execute("SELECT count(*) FROM audit.check_results WHERE run_id = %s", [story["first_build"]]).fetchone()[0]
        assert failed == 0 and ran > 50
        schemas = {r[0] for r in con.execute("SELECT nspname FROM pg_namespace").fetchall()}
    assert {"raw", "audit", "staging", "intermediate", "marts"} <= schemas
    assert "Published: postgresql://" in story["first"].stdout and ":***@" in story["first"].stdout  # no password in the summary


def test_dagster_run_storage_is_on_the_server(story):
    run_id = story["first_build"]
    with psycopg.connect(story["dagster_url"]) as con:
        found = con.execute("SELECT status FROM runs WHERE run_id = %s", [run_id]).fetchone()
    assert found is not None and found[0] == "SUCCESS"


def test_a_blocked_run_leaves_the_published_schemas_byte_for_byte(story):
    blocked = story["blocked"]
    assert blocked.returncode == 1, blocked.stdout[-3000:] + blocked.stderr[-3000:]
    assert "[block] source_files_rejected" in blocked.stdout
    assert story["after_blocked"] == story["published"]
    with psycopg.connect(story["url"]) as con:
        assert con.execute("SELECT build_id FROM audit.builds").fetchone()[0] == story["first_build"]


def test_a_long_reader_keeps_its_snapshot_and_then_sees_the_new_marts(story):
    url = story["url"]
    table = "marts.enterprise_improvement"
    with psycopg.connect(url) as writer_view:
        old_oid = writer_view.execute(f"SELECT '{table}'::regclass::oid").fetchone()[0]
        old_rows = sorted(writer_view.execute(f"SELECT t::text FROM {table} t").fetchall())
    reader = psycopg.connect(url)
    try:
        reader.isolation_level = psycopg.IsolationLevel.REPEATABLE_READ
        reader.execute("SET ROLE pilotdw_reader")
        cur = reader.cursor(name="long_read")  # a server-side cursor: a statement still running
        cur.execute(f"SELECT t::text FROM {table} t")
        seen = cur.fetchmany(5)
        # Published while the reader's transaction is open; keep 1 build, so the run tries to drop
        # the build the reader still reads: it must not wait for it.
        published = run(story["landing"], story["home"], url, "--force", env={"PILOTDW_KEEP_BUILDS": "1"})
        assert published.returncode == 0, published.stdout[-3000:] + published.stderr[-3000:]
        seen += cur.fetchall()
        assert sorted(seen) == old_rows  # the reader's statement finished on the old marts, whole
        cur.close()
        retired = f"build_{story['first_build'].replace('-', '')[:24]}_marts"
        # the old build is still there: the reader held it, so pruning left it for later (asked on
        # another connection: the reader's own snapshot still shows the catalog as it was)
        with psycopg.connect(url) as other:
            assert other.execute("SELECT count(*) FROM pg_namespace WHERE nspname = %s", [retired]).fetchone()[0] == 1
        assert "still being read, dropped at a later run" in published.stderr
    finally:
        reader.rollback()
    with reader:
        reader.execute("SET ROLE pilotdw_reader")
        new_build = reader.execute("SELECT build_id FROM audit.builds").fetchone()[0]
        new_oid = reader.execute(f"SELECT '{table}'::regclass::oid").fetchone()[0]
        assert new_build != story["first_build"] and new_oid != old_oid
        assert sorted(reader.execute(f"SELECT t::text FROM {table} t").fetchall()) == old_rows  # same landing, same figures
    # with the reader gone, the next prune drops it
    from pilotdw.orchestration.pg_connection import connect
    from pilotdw.orchestration.pg_warehouse import prune_builds

    with connect(url) as pg:
        dropped, waiting = prune_builds(pg, 0, protect=set())
        assert f"build_{story['first_build'].replace('-', '')[:24]}_" in dropped and not waiting
        assert pg.execute("SELECT count(*) FROM pg_namespace WHERE nspname = ?", [retired]).fetchone()[0] == 0
        assert pg.execute("SELECT count(*) FROM marts.enterprise_improvement").fetchone()[0] == len(old_rows)


# ---- roles ---------------------------------------------------------------------------------------


def as_role(url: str, role: str, sql: str, params=None):
    with psycopg.connect(url) as con:
        con.execute(f'SET ROLE "{role}"')
        return con.execute(sql, params).fetchall()


def refused(url: str, role: str, sql: str) -> str:
    with psycopg.connect(url) as con:
        con.execute(f'SET ROLE "{role}"')
        with pytest.raises(psycopg.errors.InsufficientPrivilege) as exc:
            con.execute(sql)
        return str(exc.value)


@pytest.mark.parametrize("code", ["310000", "440300", "650000"])
def test_a_locality_role_sees_only_its_own_rows(story, code):
    url = story["url"]
    role = f"pilotdw_locality_{code}"
    for table in ENTERPRISE_MARTS:
        expected = as_role(url, "pilotdw_reader", f"SELECT count(*) FROM marts.{table} WHERE locality_code = %s", [code])[0][0]
        seen = as_role(url, role, f"SELECT locality_code, count(*) FROM marts.{table} GROUP BY 1")
        assert dict(seen) == ({code: expected} if expected else {}), table
    for table in LOCALITY_MARTS:
        with psycopg.connect(url) as con:
            expected = dict(con.execute(f"SELECT locality_code, count(*) FROM marts.{table} WHERE locality_code IN (%s, '000000') GROUP BY 1", [code]).fetchall())
        assert dict(as_role(url, role, f"SELECT locality_code, count(*) FROM marts.{table} GROUP BY 1")) == expected, table
        assert expected.get(code), f"{table} has no row for {code}: the test would prove nothing"
    total = as_role(url, "pilotdw_reader", "SELECT count(*) FROM marts.enterprise_improvement")[0][0]
    mine = as_role(url, role, "SELECT count(*) FROM marts.enterprise_improvement")[0][0]
    assert mine < total
    assert "permission denied" in refused(url, role, "SELECT * FROM audit.loads")


def test_a_person_granted_a_locality_role_reads_as_that_locality(story):
    url = story["url"]
    person, password = f"alice_{secrets.token_hex(3)}", secrets.token_hex(8)
    with psycopg.connect(url, autocommit=True) as con:
        con.execute(f"CREATE ROLE {person} LOGIN PASSWORD '{password}'")
        con.execute(f"GRANT pilotdw_locality_310000 TO {person}")
    try:
        from urllib.parse import urlsplit

        parts = urlsplit(url)
        with psycopg.connect(f"postgresql://{person}:{password}@{parts.hostname}:{parts.port}{parts.path}") as con:
            localities = {r[0] for r in con.execute("SELECT DISTINCT locality_code FROM marts.enterprise_improvement").fetchall()}
        assert localities == {"310000"}
    finally:
        with psycopg.connect(url, autocommit=True) as con:
            con.execute(f"DROP ROLE {person}")


def test_the_reader_cannot_write_create_or_read_raw(story):
    url = story["url"]
    assert as_role(url, "pilotdw_reader", "SELECT count(*) FROM marts.national_summary")[0][0] > 0
    assert as_role(url, "pilotdw_reader", "SELECT count(*) FROM audit.loads")[0][0] > 0
    assert "permission denied for table national_summary" in refused(url, "pilotdw_reader", "INSERT INTO marts.national_summary DEFAULT VALUES")
    assert "permission denied" in refused(url, "pilotdw_reader", "DELETE FROM audit.loads")
    assert "permission denied for schema marts" in refused(url, "pilotdw_reader", "CREATE TABLE marts.mine (x int)")
    assert "permission denied for schema public" in refused(url, "pilotdw_reader", "CREATE TABLE public.mine (x int)")
    assert "permission denied for database" in refused(url, "pilotdw_reader", "CREATE SCHEMA mine")
    assert "permission denied for schema raw" in refused(url, "pilotdw_reader", "SELECT * FROM raw.registers")
    assert "permission denied for schema raw" in refused(url, "pilotdw_locality_310000", "SELECT * FROM raw.registers")


def test_pilotdw_sql_uses_the_role_read_only(story):
    url = story["url"]
    ok = pilotdw("sql", "--warehouse", url, "--role", "pilotdw_locality_310000", "--format", "csv",
                 "SELECT DISTINCT locality_code FROM marts.enterprise_improvement")
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.split() == ["locality_code", "310000"]
    raw = pilotdw("sql", "--warehouse", url, "--role", "pilotdw_reader", "SELECT count(*) FROM raw.registers")
    assert raw.returncode != 0 and "permission denied for schema raw" in raw.stderr
    # even the warehouse's owner cannot write through `pilotdw sql`: the transaction is read-only
    write = pilotdw("sql", "--warehouse", url, "DELETE FROM marts.national_summary")
    assert write.returncode != 0 and "read-only transaction" in write.stderr
    with psycopg.connect(url) as con:
        assert con.execute("SELECT count(*) FROM marts.national_summary").fetchone()[0] > 0
