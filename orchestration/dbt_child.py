"""`python -m pilotdw.orchestration.dbt_child ARGS` = `dbt ARGS`, in a process that dies with the run that
started it (settings.children). dagster-dbt starts `[dbt_executable, *global_config_flags, …]`,
so the dbt resource names this Python and `-m pilotdw.orchestration.dbt_child` instead of the `dbt` script."""
import os
import sys

from pilotdw.settings.children import DBT_WORKDIR_ENV, die_with_parent, parent_from_env

if __name__ == "__main__":
    die_with_parent(parent_from_env())
    # The profile's DuckDB path is relative (build.duckdb, a link in the build's folder): constant
    # across runs, so dbt's saved parse state stays valid. dagster-dbt passes the project and
    # profiles folders and the target path absolute (DBT_PROJECT_DIR, …), so nothing else moves.
    if os.path.isdir(os.environ.get(DBT_WORKDIR_ENV) or ""):
        os.chdir(os.environ[DBT_WORKDIR_ENV])
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())
