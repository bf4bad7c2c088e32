"""`python -m pilotdw.orchestration.dbt_parse`: dbt's manifest and its partial-parse state, saved in
dbt_project/target/ by `make setup` (and `make catalogue`).

The manifest defines the Dagster assets (dagster-dbt reads it instead of parsing at every load). The
partial-parse state (partial_parse.msgpack) is copied by dagster-dbt into each run's target folder,
so the nightly `dbt build` skips its ~6 s parse — but only while dbt sees the same profile values,
`--vars` and `--target` as here: hence the environment of every DuckDB build
(engine.dbt_profile_environment) and the nightly job's own `--vars` and target.
"""
from __future__ import annotations

import os
import subprocess
import sys

from pilotdw import settings
from pilotdw.orchestration.engine import DuckDBEngine, dbt_profile_environment


def parse_command() -> list[str]:
    """`dbt parse` as the nightly job runs dbt (pilotdw's dbt child, the build target, its --vars)."""
    project = str(settings.DBT_PROJECT_DIR)
    return [sys.executable, "-m", "pilotdw.orchestration.dbt_child", "parse", "--quiet",
            "--project-dir", project, "--profiles-dir", project, "--target", DuckDBEngine.dbt_target,
            "--vars", settings.dbt_vars()]


def main() -> int:
    env = {**os.environ, **dbt_profile_environment(), "DO_NOT_TRACK": "1"}
    for name in ("DBT_TARGET_PATH", "DBT_LOG_PATH"):  # the project's own target/ folder, whatever the caller set
        env.pop(name, None)
    return subprocess.call(parse_command(), env=env, cwd=settings.DBT_PROJECT_DIR)


if __name__ == "__main__":
    sys.exit(main())
