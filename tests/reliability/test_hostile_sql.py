"""`pilotdw sql` against the drill's published warehouse: every way the issue's drill wrote to it, read
files or outlived Ctrl-C is refused or stopped, and the warehouse's bytes never change."""
from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import time

import pytest

from tests.reliability.conftest import ENV, PILOTDW, pilotdw

pytestmark = pytest.mark.slow


def sha256(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def sql(drill, query: str, *extra: str) -> subprocess.CompletedProcess:
    return pilotdw("sql", query, "--home", str(drill.home), *extra, timeout=120)


def test_select_works(drill):
    got = sql(drill, "SELECT count(*) AS n FROM marts.national_summary", "--format", "csv")
    assert got.returncode == 0, got.stderr
    assert got.stdout.splitlines()[0].strip('"') == "n" and int(got.stdout.splitlines()[1]) >= 3


REFUSED = {
    "copy over the warehouse": "COPY (SELECT 1) TO '{home}/warehouse.duckdb'",
    "attach": "ATTACH '{home}/warehouse.duckdb' AS w2 (READ_WRITE)",
    "detach": "DETACH warehouse",
    "use": "USE memory",
    "install": "INSTALL httpfs",
    "load": "LOAD httpfs",
    "set": "SET enable_external_access = true",
    "reset": "RESET lock_configuration",
    "pragma": "PRAGMA database_list",
    "call": "CALL pragma_version()",
    "checkpoint": "CHECKPOINT",
    "create": "CREATE TABLE marts.x AS SELECT 1",
    "export": "EXPORT DATABASE '{home}/export'",
    "several statements": "SELECT 1; SELECT 2",
    "select then attach": "SELECT 1; ATTACH '{home}/x.duckdb' AS x",
}


@pytest.fixture(scope="module")
def refusals(drill):
    before = sha256(drill.warehouse)
    results = {name: sql(drill, q.format(home=drill.home)) for name, q in REFUSED.items()}
    results["read_csv"] = sql(drill, "SELECT * FROM read_csv('/etc/passwd')")
    results["read_text"] = sql(drill, "SELECT * FROM read_text('/etc/passwd')")
    results["read a file of the home"] = sql(drill, f"SELECT * FROM read_text('{drill.home}/archive/manifest.jsonl')")
    results["glob"] = sql(drill, "SELECT * FROM glob('/etc/*')")
    return before, results


@pytest.mark.parametrize("name", list(REFUSED))
def test_statement_is_refused_before_running(refusals, name):
    _, results = refusals
    got = results[name]
    assert got.returncode == 2, (name, got.returncode, got.stdout, got.stderr)
    assert "refused" in got.stderr


@pytest.mark.parametrize("name", ["read_csv", "read_text", "read a file of the home", "glob"])
def test_file_access_is_refused_by_duckdb(refusals, name):
    _, results = refusals
    got = results[name]
    assert got.returncode == 1, (name, got.stdout, got.stderr)
    assert "disabled by configuration" in got.stderr
    assert "root:" not in got.stdout


def test_warehouse_unchanged_after_all_refusals(drill, refusals):
    before, _ = refusals
    assert sha256(drill.warehouse) == before
    assert not (drill.home / "export").exists() and not (drill.home / "x.duckdb").exists()
    assert sql(drill, "SELECT count(*) FROM marts.national_summary").returncode == 0


def test_timeout_stops_the_query(drill):
    got = sql(drill, "SELECT count(*) FROM range(1000000000000) a, range(10) b", "--timeout", "1")
    assert got.returncode == 3, (got.stdout, got.stderr)
    assert "timed out after 1 s" in got.stderr


def test_ctrl_c_stops_the_query(drill):
    proc = subprocess.Popen([str(PILOTDW), "sql", "SELECT count(*) FROM range(1000000000000) a", "--home", str(drill.home), "--timeout", "0"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=ENV)
    time.sleep(3)  # started and inside the query (a bound for being there, not a measurement)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 130, (out, err)
    assert "interrupted (Ctrl-C)" in err


def _peak_kb(args: list[str]) -> tuple[int, int]:
    """(exit status, peak resident KB) of one `pilotdw sql` whose output is thrown away."""
    with open(os.devnull, "wb") as null:
        proc = subprocess.Popen([str(PILOTDW), *args], stdout=null, stderr=subprocess.PIPE, env=ENV)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
    return proc.returncode, usage.ru_maxrss


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_export_memory_is_flat(drill, fmt):
    """Five times the rows must not take five times the memory: rows are written batch by batch."""
    query = "SELECT range AS n, 'enterprise ' || range AS name, range * 0.5 AS x FROM range({})"
    small_rc, small = _peak_kb(["sql", query.format(400_000), "--home", str(drill.home), "--format", fmt])
    large_rc, large = _peak_kb(["sql", query.format(2_000_000), "--home", str(drill.home), "--format", fmt])
    assert small_rc == 0 and large_rc == 0
    assert large - small < 60 * 1024, f"{fmt}: 400k rows peak {small // 1024} MB, 2M rows {large // 1024} MB"


def test_json_output_is_one_valid_document(drill):
    import json

    got = sql(drill, "SELECT range AS n FROM range(25003)", "--format", "json")
    assert [r["n"] for r in json.loads(got.stdout)] == list(range(25003))
