"""The installed product: the wheel holds `pilotdw` and nothing else at top level, carries its dbt
project, templates and thresholds as package data, and runs from any folder in a fresh venv.

Built and installed with uv from the locked requirements (the same pins `make setup` installs), so
the test exercises the wheel, not the checkout: the run's cwd is a temporary folder and the fresh
venv has no path to the source tree."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ROOMS = {"settings", "catalogue", "sources", "expectations", "evaluation", "reports", "orchestration", "demo", "dbt_project"}

pytestmark = pytest.mark.slow


def _uv() -> list[str]:
    found = shutil.which("uv")
    return [found] if found else [sys.executable, "-m", "uv"]


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run(args, capture_output=True, text=True, **kw)
    assert proc.returncode == 0, f"{args}\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    _run([*_uv(), "build", "--wheel", "--out-dir", str(out), str(ROOT)], cwd=ROOT)
    (found,) = out.glob("pilotdw-*.whl")
    return found


def test_wheel_holds_pilotdw_only_with_its_package_data(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    top = {n.split("/")[0] for n in names}
    assert top == {"pilotdw", f"{wheel.name.split('-')[0]}-{wheel.name.split('-')[1]}.dist-info"}
    rooms = {n.split("/")[1] for n in names if n.startswith("pilotdw/")}
    assert rooms == ROOMS | {"__init__.py"} or rooms == ROOMS, rooms
    for needed in ("pilotdw/dbt_project/dbt_project.yml", "pilotdw/dbt_project/profiles.yml",
                   "pilotdw/dbt_project/seeds/localities.csv", "pilotdw/expectations/thresholds.yml",
                   "pilotdw/reports/templates/national.html", "pilotdw/sources/raw_schema.sql",
                   "pilotdw/orchestration/dagster.yaml", "pilotdw/demo/real/shanghai_2023_batch1_pilots.tsv"):
        assert needed in names, needed
    assert not [n for n in names if n.startswith(("pilotdw/bench", "pilotdw/tests", "pilotdw/docs"))]


def test_installed_wheel_makes_demo_data_and_runs_from_any_folder(wheel, tmp_path):
    venv = tmp_path / "venv"
    _run([*_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)])
    reqs = tmp_path / "requirements.txt"
    _run([*_uv(), "export", "--frozen", "--no-dev", "--no-emit-project", "--no-hashes", "--quiet", "-o", str(reqs)], cwd=ROOT)
    python = venv / "bin" / "python"
    _run([*_uv(), "pip", "install", "--quiet", "--python", str(python), "-r", str(reqs)])
    _run([*_uv(), "pip", "install", "--quiet", "--no-deps", "--python", str(python), str(wheel)])

    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PILOTDW_", "PYTHON", "VIRTUAL_ENV"))}
    env.update(DO_NOT_TRACK="1", GX_ANALYTICS_ENABLED="false", PATH=f"{venv / 'bin'}:{env.get('PATH', '')}")
    where = _run([str(python), "-c", "import pilotdw.settings as s; print(s.DBT_PROJECT_DIR)"], cwd=elsewhere, env=env)
    assert str(venv) in where.stdout and str(ROOT) not in where.stdout

    pilotdw = str(venv / "bin" / "pilotdw")
    _run([pilotdw, "demo-data", "landing", "--enterprises", "300", "--seed", "5"], cwd=elsewhere, env=env)
    run = subprocess.run([pilotdw, "run", "--landing", "landing", "--home", "home", "--quiet"],
                         cwd=elsewhere, env=env, capture_output=True, text=True, timeout=900)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert (elsewhere / "home" / "warehouse.duckdb").exists() and (elsewhere / "home" / "reports").exists()
    answer = _run([pilotdw, "sql", "SELECT count(*) AS n FROM marts.coverage_by_locality_year", "--home", "home", "--format", "csv"],
                  cwd=elsewhere, env=env)
    assert int(answer.stdout.strip().splitlines()[-1]) >= 37  # every locality, every year
