"""The Dagster definitions: a snapshot of the asset graph, the schedule and the landing sensor."""
from __future__ import annotations

import json
import os
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import dagster as dg
import pytest

from pilotdw.orchestration.definitions import build_definitions, nightly_schedule
from pilotdw.orchestration.resources import PilotdwHome

SNAPSHOT = Path(__file__).with_name("definitions_snapshot.json")


def snapshot_of(defs: dg.Definitions) -> dict:
    graph = defs.resolve_asset_graph()
    assets = {}
    for key in sorted(graph.get_all_asset_keys(), key=lambda k: k.to_user_string()):
        node = graph.get(key)
        assets[key.to_user_string()] = {
            "group": node.group_name,
            "deps": sorted(k.to_user_string() for k in node.parent_keys),
        }
    checks = sorted(
        f"{k.asset_key.to_user_string()}:{k.name}:{'blocking' if graph.get_check_spec(k).blocking else 'warn'}"
        for k in graph.asset_check_keys
    )
    job = defs.resolve_job_def("nightly_refresh")
    return {
        "assets": assets,
        "checks": checks,
        "jobs": [job.name],
        "schedules": [{"name": s.name, "cron": s.cron_schedule, "tz": s.execution_timezone} for s in defs.schedules],
        "sensors": sorted(s.name for s in defs.sensors),
    }


def test_definitions_match_the_snapshot(tmp_path):
    got = snapshot_of(build_definitions(PilotdwHome(landing=str(tmp_path / "l"), home=str(tmp_path / "h"))))
    if os.environ.get("UPDATE_SNAPSHOT"):
        SNAPSHOT.write_text(json.dumps(got, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    assert got == json.loads(SNAPSHOT.read_text(encoding="utf-8")), "definitions changed: review, then UPDATE_SNAPSHOT=1"


def test_lineage_reads_as_the_house_plan():
    snap = snapshot_of(build_definitions())
    assets = snap["assets"]
    assert assets["raw/pilots"]["deps"] == ["landing_archive"]
    assert "raw/pilots" in assets["staging/stg_raw__pilots"]["deps"]
    assert {k for k in assets["reports"]["deps"]} >= {"marts/coverage_by_locality_year", "marts/national_summary"}
    assert assets["published_warehouse"]["deps"] == ["reports"]
    blocking = [c for c in snap["checks"] if c.endswith(":blocking")]
    assert any(c.startswith("audit/loads:") for c in blocking), "a rejected file must block"
    assert any(c.startswith("marts/") for c in blocking)


def test_schedule_runs_the_refresh_at_two_in_beijing():
    assert nightly_schedule.cron_schedule == "0 2 * * *"
    assert nightly_schedule.execution_timezone == "Asia/Shanghai"
    when = datetime(2026, 3, 1, 2, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    context = dg.build_schedule_context(scheduled_execution_time=when)
    requests = list(nightly_schedule.evaluate_tick(context).run_requests or [])
    assert len(requests) == 1 and requests[0].job_name in (None, "nightly_refresh")
    assert nightly_schedule.job_name == "nightly_refresh"


def _tick(sensor, pilotdw, cursor):
    context = dg.build_sensor_context(cursor=cursor, resources={"pilotdw": pilotdw})
    result = sensor.evaluate_tick(context)
    return list(result.run_requests or []), context.cursor


def test_landing_sensor_requests_one_run_per_change(tmp_path):
    landing = tmp_path / "landing"
    (landing / "pilots").mkdir(parents=True)
    pilotdw = PilotdwHome(landing=str(landing), home=str(tmp_path / "home"))
    sensor = build_definitions(pilotdw).resolve_sensor_def("landing_sensor")

    requests, cursor = _tick(sensor, pilotdw, None)
    assert len(requests) == 1  # first look: whatever is there (here: nothing yet) is one state

    new = landing / "pilots" / "310000_2024_b1.csv"
    new.write_text("单位名称\n甲公司\n", encoding="utf-8")
    requests, cursor2 = _tick(sensor, pilotdw, cursor)
    assert len(requests) == 1 and requests[0].run_key == cursor2

    requests, cursor3 = _tick(sensor, pilotdw, cursor2)
    assert requests == [] and cursor3 == cursor2  # same file again: no run

    new.write_text("单位名称\n甲公司\n乙公司\n", encoding="utf-8")
    os.utime(new, (2_000_000_000, 2_000_000_000))
    requests, cursor4 = _tick(sensor, pilotdw, cursor3)
    assert len(requests) == 1 and cursor4 != cursor3  # changed file: one run
