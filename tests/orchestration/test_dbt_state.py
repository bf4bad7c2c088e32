"""dbt's parse state per home (issue 17): with each run's build under the home's one dbt path, the
next run's dbt reuses the saved parse, and a changed model is still picked up."""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import duckdb

from pilotdw import settings
from pilotdw.orchestration.dbt_state import PARTIAL_PARSE, stable_build, state_dir


def dbt_parse(project: Path, db: Path, target: Path) -> list[dict]:
    """`dbt parse` of `project` as the nightly step runs it (profile path from PILOTDW_DB_PATH); its
    JSON log events."""
    env = {**os.environ, "PILOTDW_DB_PATH": str(db), "DO_NOT_TRACK": "1"}
    done = subprocess.run(
        [str(Path(sys.executable).with_name("dbt")), "parse", "--log-format", "json", "--log-level", "debug", "--profiles-dir", str(project),
         "--target-path", str(target), "--vars", settings.dbt_vars()],
        cwd=project, env=env, capture_output=True, text=True, check=True,
    )
    return [json.loads(line) for line in done.stdout.splitlines() if line.startswith("{")]


def parse_kind(events: list[dict]) -> str:
    names = {e["info"]["name"] for e in events}
    if "UnableToPartialParse" in names:
        return "full"
    return "partial" if names & {"PartialParsingEnabled", "PartialParsingSkipParsing"} else "full"


def run(home: Path, project: Path, run_id: str) -> tuple[str, dict]:
    build = home / "builds" / f"{run_id}.duckdb"
    build.parent.mkdir(parents=True, exist_ok=True)
    duckdb.connect(str(build)).close()
    target = home / "builds" / run_id / "dbt_target"
    with stable_build(home, build, target) as db:
        assert db == state_dir(home) / "build.duckdb" and db.exists() and not build.exists()
        events = dbt_parse(project, db, target)
    assert build.exists() and not (state_dir(home) / "build.duckdb").exists(), "the build is back under its own name"
    manifest = json.loads((target / "manifest.json").read_text(encoding="utf-8"))
    return parse_kind(events), manifest


def test_the_second_run_parses_partially_and_sees_a_changed_model(tmp_path):
    project = tmp_path / "dbt_project"
    shutil.copytree(settings.DBT_PROJECT_DIR, project, ignore=shutil.ignore_patterns("target", "logs", "dbt_packages"))
    home = tmp_path / "home"

    first, _ = run(home, project, "run1")
    assert first == "full"  # nothing saved yet
    assert (state_dir(home) / PARTIAL_PARSE).exists()
    second, _ = run(home, project, "run2")
    assert second == "partial", "another run's build file under the same path: dbt's saved parse holds"

    model = project / "models" / "marts" / "national_summary.sql"
    model.write_text(model.read_text(encoding="utf-8") + "\n-- probe: a change to a model\n", encoding="utf-8")
    third, manifest = run(home, project, "run3")
    assert third == "partial"
    node = manifest["nodes"]["model.pilotdw.national_summary"]
    assert "-- probe: a change to a model" in node["raw_code"], "the changed model is parsed again"
