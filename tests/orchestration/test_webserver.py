"""The real `dagster-webserver` loads pilotdw's code location (pyproject's [tool.dagster]) with the
project's dagster.yaml, and its GraphQL API shows the lineage, the job, the schedule and the sensors.

test_definitions.py checks the Definitions object in-process; this checks what a person opening the
UI gets: the code location must load in a code server subprocess, from the project directory, with
the instance config read from DAGSTER_HOME. Field names are those of dagster-graphql 1.13's schema
(Query.assetNodes, Query.workspaceOrError → RepositoryLocation.repositories, Schedule.executionTimezone).
"""
from __future__ import annotations

import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WEBSERVER = Path(sys.executable).with_name("dagster-webserver")
STARTUP_LIMIT_S = 90  # cold imports of dagster + dagster_dbt on 2 shared cores, plus the code server
STOP_LIMIT_S = 20

# Loopback only, never through a proxy an environment may define.
_http = urllib.request.build_opener(urllib.request.ProxyHandler({}))

GRAPH_QUERY = """
{
  assetNodes { assetKey { path } groupName dependencyKeys { path } }
  workspaceOrError {
    __typename
    ... on PythonError { message }
    ... on Workspace {
      locationEntries {
        name
        loadStatus
        locationOrLoadError {
          __typename
          ... on PythonError { message stack }
          ... on RepositoryLocation {
            repositories {
              name
              jobs { name }
              schedules { name cronSchedule executionTimezone pipelineName }
              sensors { name sensorType }
            }
          }
        }
      }
    }
  }
}
"""

LOCATION_STATUS_QUERY = """
{
  locationStatusesOrError {
    __typename
    ... on WorkspaceLocationStatusEntries { entries { name loadStatus } }
    ... on PythonError { message }
  }
}
"""


def free_loopback_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str) -> dict:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql",
        data=json.dumps({"query": query}).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with _http.open(request, timeout=30) as response:
        body = json.loads(response.read())
    assert not body.get("errors"), body["errors"]
    return body["data"]


def server_answers(port: int) -> bool:
    try:
        with _http.open(f"http://127.0.0.1:{port}/server_info", timeout=2) as response:
            return response.status == 200
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return False


def wait_until_loaded(server: subprocess.Popen, port: int, log: Path) -> None:
    """Poll /server_info, then the location status, until the code location has loaded (bounded)."""
    deadline = time.monotonic() + STARTUP_LIMIT_S
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"dagster-webserver exited with {server.returncode}:\n{log.read_text(errors='replace')[-4000:]}")
        if server_answers(port):
            statuses = graphql(port, LOCATION_STATUS_QUERY)["locationStatusesOrError"]
            entries = statuses.get("entries") or []
            if entries and all(e["loadStatus"] == "LOADED" for e in entries):
                return
        time.sleep(0.5)
    pytest.fail(f"dagster-webserver did not load within {STARTUP_LIMIT_S} s:\n{log.read_text(errors='replace')[-4000:]}")


def stop_process_group(server: subprocess.Popen) -> None:
    """Terminate the webserver and its code server (both in the group it leads), then make sure
    none of that group is left: SIGKILL whatever did not exit in time."""
    pgid = server.pid  # start_new_session: the webserver leads its own process group
    try:
        os.killpg(pgid, signal.SIGTERM)
    except ProcessLookupError:
        pass
    try:
        server.wait(timeout=STOP_LIMIT_S)
    except subprocess.TimeoutExpired:
        pass
    deadline = time.monotonic() + STOP_LIMIT_S
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)  # anyone of the group still there?
        except ProcessLookupError:
            return
        time.sleep(0.2)
    try:
        os.killpg(pgid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=STOP_LIMIT_S)


def server_env(tmp_path: Path) -> dict[str, str]:
    dagster_home = tmp_path / "dagster_home"
    dagster_home.mkdir()
    shutil.copy(ROOT / "orchestration" / "dagster.yaml", dagster_home / "dagster.yaml")  # the project's instance config
    (tmp_path / "home" / "dagster").mkdir(parents=True)
    (tmp_path / "landing").mkdir()
    # Nothing of the caller's Dagster setup (DAGSTER_HOME, DAGSTER_WEBSERVER_PORT, …) leaks in.
    env = {k: v for k, v in os.environ.items() if not k.startswith("DAGSTER_")}
    env.update(
        DAGSTER_HOME=str(dagster_home),
        PILOTDW_DAGSTER_DIR=str(tmp_path / "home" / "dagster"),
        PILOTDW_LANDING=str(tmp_path / "landing"),
        PILOTDW_HOME=str(tmp_path / "home"),
        DO_NOT_TRACK="1",
        GX_ANALYTICS_ENABLED="false",
        PYTHONDONTWRITEBYTECODE="1",
    )
    return env


@pytest.mark.slow
def test_webserver_shows_the_lineage_job_schedule_and_sensors(tmp_path):
    port = free_loopback_port()
    log = tmp_path / "webserver.log"
    with log.open("wb") as out:
        # No -m/-w: the code location comes from pyproject's [tool.dagster], as for `make dev`.
        server = subprocess.Popen(
            [str(WEBSERVER), "-h", "127.0.0.1", "-p", str(port)],
            cwd=ROOT, env=server_env(tmp_path), stdout=out, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
    try:
        wait_until_loaded(server, port, log)
        data = graphql(port, GRAPH_QUERY)
    finally:
        stop_process_group(server)

    workspace = data["workspaceOrError"]
    assert workspace["__typename"] == "Workspace", workspace
    [location] = workspace["locationEntries"]
    assert location["name"] == "pilotdw"  # pyproject's code_location_name
    loaded = location["locationOrLoadError"]
    assert loaded["__typename"] == "RepositoryLocation", loaded.get("message", loaded)
    [repository] = loaded["repositories"]

    assets = {"/".join(n["assetKey"]["path"]): n for n in data["assetNodes"]}
    deps = {key: {"/".join(d["path"]) for d in node["dependencyKeys"]} for key, node in assets.items()}
    assert deps["raw/pilots"] == {"landing_archive"}
    assert "raw/pilots" in deps["staging/stg_raw__pilots"]
    assert assets["marts/coverage_by_locality_year"]["groupName"] == "marts"
    assert "marts/coverage_by_locality_year" in deps["reports"]
    assert deps["published_warehouse"] == {"reports"}

    # Dagster adds hidden implicit asset jobs named "__ASSET_JOB…"; the UI does not list them.
    assert [j["name"] for j in repository["jobs"] if not j["name"].startswith("__")] == ["nightly_refresh"]
    schedules = {s["name"]: s for s in repository["schedules"]}
    assert set(schedules) == {"nightly_refresh_0200"}
    nightly = schedules["nightly_refresh_0200"]
    assert nightly["executionTimezone"] == "Asia/Shanghai"
    assert (nightly["cronSchedule"], nightly["pipelineName"]) == ("0 2 * * *", "nightly_refresh")
    sensors = {s["name"]: s["sensorType"] for s in repository["sensors"]}
    assert sensors == {"landing_sensor": "STANDARD", "refresh_failure_summary": "RUN_STATUS"}
