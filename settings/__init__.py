"""The small shared settings every room may import: paths, programme years, environment.

Only constants and environment look-ups live here; no rule of the data contract does.
"""
from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

# The package root: the checkout's top level, or site-packages/pilotdw in an installed wheel (the
# package-dir mapping in pyproject keeps the folders side by side in both).
PROJECT_ROOT = Path(__file__).resolve().parent.parent
DBT_PROJECT_DIR = PROJECT_ROOT / "dbt_project"
LOCALITIES_CSV = DBT_PROJECT_DIR / "seeds" / "localities.csv"
INDICATORS_CSV = DBT_PROJECT_DIR / "seeds" / "indicators.csv"
RAW_SCHEMA_SQL = PROJECT_ROOT / "sources" / "raw_schema.sql"
THRESHOLDS_YML = PROJECT_ROOT / "expectations" / "thresholds.yml"

# Programme start and end years (metrics.md: P0, P1). Configurable through the environment.
P0 = int(os.environ.get("PILOTDW_P0", "2023"))
P1 = int(os.environ.get("PILOTDW_P1", "2025"))

NATIONAL_CODE = "000000"  # the national row of marts.regional_effectiveness

def _sources() -> tuple[str, ...]:
    from pilotdw.catalogue import codes

    return codes("source")


# The four landing folders, one raw table each: the catalogue's `source` vocabulary, in its order.
SOURCES = _sources()


@dataclass(frozen=True)
class Locality:
    code: str
    name: str
    name_en: str
    parent_code: str | None
    kind: str


@lru_cache(maxsize=1)
def localities() -> tuple[Locality, ...]:
    """The 37 localities of the programme, from the dbt seed (the one list of them)."""
    with LOCALITIES_CSV.open(encoding="utf-8") as fh:
        return tuple(
            Locality(r["locality_code"], r["locality_name"], r["locality_name_en"], r["parent_code"] or None, r["kind"])
            for r in csv.DictReader(fh)
        )


@lru_cache(maxsize=1)
def indicators() -> tuple[str, ...]:
    """The filing indicator columns, in contract order, from the dbt seed."""
    with INDICATORS_CSV.open(encoding="utf-8") as fh:
        return tuple(r["indicator"] for r in csv.DictReader(fh))


def landing_dir(value: str | os.PathLike | None = None) -> Path:
    return Path(value or os.environ.get("PILOTDW_LANDING") or Path.cwd() / "landing").resolve()


def home_dir(value: str | os.PathLike | None = None) -> Path:
    return Path(value or os.environ.get("PILOTDW_HOME") or Path.cwd() / "pilotdw_home").resolve()


def dbt_vars() -> str:
    """The `--vars` of every dbt invocation (the nightly build, the benchmark's floor): the programme years."""
    return json.dumps({"p0": P0, "p1": P1})


def keep_builds() -> int:
    """How many build files to keep under <home>/builds (issue 3: last N builds)."""
    return int(os.environ.get("PILOTDW_KEEP_BUILDS", "5"))


def warehouse_url() -> str:
    """The PostgreSQL warehouse (env PILOTDW_WAREHOUSE_URL, postgresql://USER:PASSWORD@HOST:PORT/DB);
    empty for the DuckDB file under the pilotdw home."""
    return os.environ.get("PILOTDW_WAREHOUSE_URL", "")


def dagster_config_dir() -> Path:
    """The folder whose dagster.yaml configures the run history of `pilotdw run` (env
    PILOTDW_DAGSTER_CONFIG_DIR; default the project's own, SQLite under <home>/dagster). The
    PostgreSQL deployment points it at deploy/postgres (docs/operations.md)."""
    return Path(os.environ.get("PILOTDW_DAGSTER_CONFIG_DIR") or PROJECT_ROOT / "orchestration").resolve()


def report_lang() -> str:
    return os.environ.get("PILOTDW_REPORT_LANG", "zh")


# DuckDB may otherwise use 80 % of the machine's memory for its buffers and hash tables; with a
# limit it spills to a temp folder beside the database instead (issue 7: peak memory ≤ 4 GB at 40×).
DEFAULT_DUCKDB_MEMORY_LIMIT = "2GB"


def duckdb_memory_limit() -> str:
    """DuckDB's memory_limit for pilotdw's own connections and for dbt's (env PILOTDW_DUCKDB_MEMORY_LIMIT)."""
    return os.environ.get("PILOTDW_DUCKDB_MEMORY_LIMIT") or DEFAULT_DUCKDB_MEMORY_LIMIT


def ingest_workers() -> int:
    """Processes that parse landed files at once (env PILOTDW_INGEST_WORKERS; default: the CPUs, at
    most 2). The cell rules are pandas work that holds Python's GIL, so only processes share it out;
    1 parses in the run's own process."""
    return _count_from_env("PILOTDW_INGEST_WORKERS", min(2, os.cpu_count() or 1))


def estimate_workers() -> int:
    """Processes fitting the pilot-effect scopes at once for a large panel (env
    PILOTDW_ESTIMATE_WORKERS; default: the CPUs, at most 2): the fits are independent numpy work,
    and nothing else of the run happens while they run."""
    return _count_from_env("PILOTDW_ESTIMATE_WORKERS", min(2, os.cpu_count() or 1))


def dbt_threads() -> int:
    """dbt nodes run at once (env PILOTDW_DBT_THREADS, default 2). Measured on 2 CPUs (issue 7): at
    1× national scale 2 and 4 threads build alike (dbt's own per-node work dominates); at 10× and 40×
    2 are faster (40×: 82 vs 97 s), because concurrent queries share DuckDB's memory limit and spill."""
    return _count_from_env("PILOTDW_DBT_THREADS", 2)


def _count_from_env(name: str, default: int) -> int:
    """A count of processes or threads from the environment variable `name`: at least 1."""
    value = os.environ.get(name)
    return max(1, int(value) if value else default)


def duckdb_config() -> dict[str, str]:
    """Connection config for the build and publish connections: `duckdb.connect(path, config=...)`."""
    return {"memory_limit": duckdb_memory_limit()}
