"""`python -m orchestration.dbt_child ARGS` = `dbt ARGS`, in a process that dies with the run that
started it (settings.children). dagster-dbt starts `[dbt_executable, *global_config_flags, …]`,
so the dbt resource names this Python and `-m orchestration.dbt_child` instead of the `dbt` script."""
import sys

from pilotdw.settings.children import die_with_parent, parent_from_env

if __name__ == "__main__":
    die_with_parent(parent_from_env())
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    sys.exit(cli())
