"""kill -9 of `pilotdw run` at each stage, a second run while one holds the home, and the run after
them all: no process of a killed run survives, the next run marks it FAILED in Dagster's storage
with the reason, removes its build files, and publishes."""
from __future__ import annotations

import json

import pytest

from tests.reliability.conftest import KILL_STAGES, dagster_run

pytestmark = pytest.mark.slow


def test_every_stage_was_reached_and_killed(drill):
    assert [k["stage"] for k in drill.killed] == [s for s, _ in KILL_STAGES]
    assert len({k["run_id"] for k in drill.killed}) == len(KILL_STAGES)


def test_children_were_running_when_killed(drill):
    """The drill is only worth something if there were children to leave behind."""
    by_stage = {k["stage"]: k for k in drill.killed}
    assert any("spawn_main" in c for c in by_stage["raw"]["children"]), by_stage["raw"]["children"]
    assert any("pilotdw.orchestration.dbt_child" in c for c in by_stage["dbt"]["children"]), by_stage["dbt"]["children"]


@pytest.mark.parametrize("stage", [s for s, _ in KILL_STAGES])
def test_no_process_survives_a_kill(drill, stage):
    killed = next(k for k in drill.killed if k["stage"] == stage)
    assert killed["survivors"] == [], f"still running after kill -9 at {stage}: {killed['survivors']}"


def test_the_next_run_publishes(drill):
    assert drill.final["returncode"] == 0, drill.final["stdout"][-2000:] + drill.final["stderr"][-2000:]
    assert "Published:" in drill.final["stdout"]


@pytest.mark.parametrize("stage", [s for s, _ in KILL_STAGES])
def test_killed_run_is_marked_failed_with_the_reason(drill, stage):
    killed = next(k for k in drill.killed if k["stage"] == stage)
    status, messages = dagster_run(drill.home, killed["run_id"])
    assert status == "FAILURE", (stage, status)
    assert any("died without finishing" in m for m in messages), messages
    # the run after it said so (each killed run is recovered by the next one, killed or not)
    assert any(line.startswith(f"recovered: run {killed['run_id']} did not finish") for line in drill.recovered), drill.recovered


def test_killed_builds_are_removed(drill):
    left = [p.name for k in drill.killed for p in (drill.home / "builds").glob(f"{k['run_id']}*")]
    assert left == []
    # there was something to remove: the killed dbt run had written its build
    assert next(k for k in drill.killed if k["stage"] == "dbt")["build_files"]


def test_no_run_is_left_started(drill):
    """With one run at a time, a run left STARTED would queue the daemon's runs for ever."""
    import dagster as dg

    from pilotdw.orchestration.runner import dagster_instance

    with dagster_instance(drill.home) as instance:
        active = instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.STARTED, dg.DagsterRunStatus.STARTING,
                                                                     dg.DagsterRunStatus.QUEUED, dg.DagsterRunStatus.NOT_STARTED]))
    assert active == []


def test_a_second_run_exits_3_and_leaves_the_lock_intact(drill):
    busy = drill.busy
    assert busy["returncode"] == 3, busy
    assert "another pilotdw run" in busy["stderr"] and "is using" in busy["stderr"]
    assert busy["lock_after"] == busy["lock_before"]
    owner = json.loads(busy["lock_after"])
    dbt_run = next(k for k in drill.killed if k["stage"] == "dbt")
    assert owner["run_id"] == dbt_run["run_id"] and owner["pid"] == dbt_run["pid"]
    assert f"pid {owner['pid']}" in busy["stderr"]


def test_lock_is_cleared_after_a_clean_run(drill):
    assert (drill.home / ".lock").read_text(encoding="utf-8") == ""


def test_run_history_is_pruned_to_its_age(drill, tmp_path):
    """A copy of the drill's Dagster storage, pruned to 0 days: every finished run but the protected
    one goes, with its event-log shard and compute logs."""
    import shutil

    import dagster as dg

    from pilotdw.orchestration.runner import dagster_instance
    from pilotdw.orchestration.space import prune_run_history

    home = tmp_path / "home"
    shutil.copytree(drill.home / "dagster", home / "dagster")
    with dagster_instance(home) as instance:
        runs = [r.run_id for r in instance.get_runs()]
        keep = next(r.run_id for r in instance.get_runs(filters=dg.RunsFilter(statuses=[dg.DagsterRunStatus.SUCCESS])))
        assert prune_run_history(instance, home / "dagster", keep_days=30, protect=set()) == []
        removed = prune_run_history(instance, home / "dagster", keep_days=0, protect={keep})
        assert sorted(removed) == sorted(r for r in runs if r != keep)
        assert [r.run_id for r in instance.get_runs()] == [keep]
    for run_id in removed:
        assert not list((home / "dagster" / "history" / "runs").glob(f"{run_id}.db*"))
        assert not (home / "dagster" / run_id).exists()
