"""The one Definitions object of pilotdw: loaded by `dagster dev`/`dagster-webserver` (pyproject's
[tool.dagster]) and executed in-process by `pilotdw run`, so both run the same job."""
from __future__ import annotations

import dagster as dg

from pilotdw.orchestration.assets import landing_archive, published_warehouse, raw_layer, reports
from pilotdw.orchestration.checks import mart_gates, raw_gates
from pilotdw.orchestration.dbt import dbt_models, dbt_resource
from pilotdw.orchestration.resources import PilotdwHome
from pilotdw.orchestration.sensors import failure_sensor_for, landing_sensor_for

# One writer per build database: every step in one process, one after another.
nightly_refresh = dg.define_asset_job(
    "nightly_refresh",
    selection=dg.AssetSelection.all(),
    executor_def=dg.in_process_executor,
    description="Archive what landed, rebuild the warehouse from the archive, gate it, report, publish.",
)

nightly_schedule = dg.ScheduleDefinition(
    name="nightly_refresh_0200",
    job=nightly_refresh,
    cron_schedule="0 2 * * *",
    execution_timezone="Asia/Shanghai",
    default_status=dg.DefaultScheduleStatus.RUNNING,
    description="Every night at 02:00 Beijing time.",
)


def build_definitions(pilotdw: PilotdwHome | None = None) -> dg.Definitions:
    return dg.Definitions(
        assets=[landing_archive, raw_layer, dbt_models, reports, published_warehouse],
        asset_checks=[raw_gates, mart_gates],
        jobs=[nightly_refresh],
        schedules=[nightly_schedule],
        sensors=[landing_sensor_for(nightly_refresh), failure_sensor_for(nightly_refresh)],
        resources={"pilotdw": pilotdw or PilotdwHome.from_env(), "dbt": dbt_resource()},
    )


defs = build_definitions()
