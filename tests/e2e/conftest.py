"""End-to-end fixtures: the real `pilotdw` CLI on generated demo data, run once per test session
and shared by every test worker (a file lock guards the one run)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from filelock import FileLock

PILOTDW = Path(sys.executable).with_name("pilotdw")
E2E_SCALE = float(os.environ.get("PILOTDW_E2E_SCALE", "0.1"))  # a demo at a tenth of its size: every shape, fewer rows


@dataclass
class Run:
    landing: Path
    home: Path
    returncode: int
    stdout: str
    stderr: str

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"

    def sql(self, query: str, params=None):
        import duckdb

        with duckdb.connect(str(self.warehouse), read_only=True) as con:
            return con.execute(query, params or []).fetchall()


def pilotdw(*args: str, env: dict | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    full_env = {**os.environ, "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", **(env or {})}
    return subprocess.run([str(PILOTDW), *args], capture_output=True, text=True, env=full_env, timeout=timeout)


def run_pipeline(landing: Path, home: Path, *extra: str, env: dict | None = None) -> Run:
    proc = pilotdw("run", "--landing", str(landing), "--home", str(home), *extra, env=env)
    return Run(landing, home, proc.returncode, proc.stdout, proc.stderr)


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory, request) -> Run:
    """The demo landing folder (scale E2E_SCALE) through the whole nightly job, once per session."""
    worker_id = getattr(request.config, "workerinput", {}).get("workerid", "master")  # also under -p no:xdist
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    landing, home, done = shared / "demo_landing", shared / "demo_home", shared / "demo_run.json"
    with FileLock(str(shared / "demo_run.lock")):
        if not done.exists():
            gen = pilotdw("demo-data", str(landing), "--scale", str(E2E_SCALE))
            assert gen.returncode == 0, gen.stderr
            run = run_pipeline(landing, home)
            done.write_text(json.dumps({"returncode": run.returncode, "stdout": run.stdout, "stderr": run.stderr}), encoding="utf-8")
        saved = json.loads(done.read_text(encoding="utf-8"))
    return Run(landing, home, saved["returncode"], saved["stdout"], saved["stderr"])
