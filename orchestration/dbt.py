"""dbt models as Dagster assets: one cached DbtProject, one translator from dbt nodes to asset keys.

Asset keys are the warehouse's own table names, `[schema, table]` (raw/registers,
marts/coverage_by_locality_year), so a check, a log line and an analyst's SQL name a table the
same way.
"""

import contextlib
import importlib
import json
import os
import subprocess
import sys
import threading
from collections.abc import Mapping
from functools import cache, cached_property
from pathlib import Path
from typing import Any

import dagster as dg
from dagster_dbt import DagsterDbtTranslator, DagsterDbtTranslatorSettings, DbtCliResource, DbtProject, dbt_assets

from pilotdw import settings
from pilotdw.settings.children import PARENT_PID_ENV
from pilotdw.orchestration.outcome import MODELS_NOT_BUILT
from pilotdw.orchestration.resources import PilotdwHome

os.environ.setdefault("DO_NOT_TRACK", "1")


@cache
def dbt_project() -> DbtProject:
    """The one DbtProject; its manifest is prepared by `make setup` (dbt parse), not on every run."""
    project = DbtProject(project_dir=settings.DBT_PROJECT_DIR, profiles_dir=settings.DBT_PROJECT_DIR, target="build")
    project.prepare_if_dev()
    return project


def table_of(props: Mapping[str, Any]) -> tuple[str, str]:
    """(schema, table) a dbt node lives in: sources by their declared schema, models by their
    configured custom schema (staging, intermediate, marts), seeds likewise."""
    if props["resource_type"] == "source":
        return props["schema"], props["name"]
    schema = (props.get("config") or {}).get("schema") or props.get("schema") or "main"
    return schema, props.get("alias") or props["name"]


class PilotdwTranslator(DagsterDbtTranslator):
    def get_asset_key(self, dbt_resource_props: Mapping[str, Any]) -> dg.AssetKey:
        return dg.AssetKey(list(table_of(dbt_resource_props)))

    def get_group_name(self, dbt_resource_props: Mapping[str, Any]) -> str | None:
        schema, _ = table_of(dbt_resource_props)
        return schema if schema in ("staging", "intermediate", "marts") else "seeds"


def translator() -> PilotdwTranslator:
    """dbt tests are not loaded as Dagster asset checks (issue 7): as 209 checks they cost a planned
    and an evaluation event each in the instance's SQLite (~12 s CPU of a 1× run). They still gate
    publication: their results are written to audit.check_results, which `verify_gates` reads, and
    a failing error-severity test fails the dbt step, so nothing downstream runs."""
    return PilotdwTranslator(settings=DagsterDbtTranslatorSettings(enable_asset_checks=False))


# dbt's unit tests read fixtures, not the night's data: they run in `make test` (tests/dbt), not
# nightly, where they cost ~6 s whatever the scale.
NIGHTLY_BUILD_ARGS = ["build", "--exclude-resource-type", "unit_test"]


@dbt_assets(manifest=dbt_project().manifest_path, dagster_dbt_translator=translator(), name="dbt_models")
def dbt_models(context: dg.AssetExecutionContext, dbt: DbtCliResource, pilotdw: PilotdwHome):
    """Seeds, staging, intermediate and marts built into this run's database, dbt tests included.
    dbt's test results are recorded as gate results too: error-severity tests block publication."""
    from pilotdw.expectations.gates import record_dbt_results

    _prepare_later_steps_meanwhile()
    engine = pilotdw.engine()
    # dbt runs as a subprocess that inherits this environment: the profile reads the build from it.
    os.environ.update(engine.dbt_environment(context.run.run_id))
    engine.link_build_for_dbt(context.run.run_id)
    if engine.dbt_target != dbt.target:
        dbt = dbt.model_copy(update={"target": engine.dbt_target})
    os.environ[PARENT_PID_ENV] = str(os.getpid())  # dbt_child dies with this process
    log_path = pilotdw.build_dir(context.run.run_id) / "dbt.log"
    log_path.parent.mkdir(parents=True, exist_ok=True)
    pilotdw.say(f"dbt: building staging → intermediate → marts … (log: {log_path})")
    # dbt's target (compiled SQL, run_results.json: ~11 MB at 1×) goes beside the build's dbt.log and
    # is pruned with the build; dagster-dbt's default, a new folder under dbt_project/target per run,
    # would grow without end.
    invocation = dbt.cli([*NIGHTLY_BUILD_ARGS, "--vars", settings.dbt_vars()], context=context, raise_on_error=False,
                         target_path=log_path.parent / "dbt_target")
    try:
        yield from _quietly(invocation, log_path)
    finally:
        engine.drop_dbt_link(context.run.run_id)
    run_results = invocation.get_artifact("run_results.json")
    manifest = invocation.get_artifact("manifest.json")
    # Gate results name tables and queries as readers know them (marts.x), not by the build's schemas.
    for item in run_results.get("results", []):
        if item.get("compiled_code"):
            item["compiled_code"] = engine.dbt_sql_for_readers(item["compiled_code"])
    for node in (manifest or {}).get("nodes", {}).values():
        if node.get("schema"):
            node["schema"] = engine.dbt_schema_for_readers(node["schema"])
    with engine.build_connection(context.run.run_id) as con:
        results = record_dbt_results(con, run_results, context.run.run_id, manifest=manifest)
    failed = [r for r in results if not r.passed]
    pilotdw.say(f"dbt: {len(run_results.get('results', []))} nodes, {len(failed)} failing tests")
    blocking = [r for r in failed if r.severity == "block"]
    # "error": the model could not be built; "skipped" (downstream of a failing test) is not its own failure
    errors = [r for r in run_results.get("results", []) if str(r.get("unique_id", "")).startswith(("model.", "seed.")) and r.get("status") == "error"]
    if blocking or errors:
        # Stops the mart gates, the report and publication, as a blocking check would. The runner
        # calls the run blocked when only tests failed, and failed when a model could not be built
        # (an error in SQL, out of memory): that is not the data failing a gate.
        names = [f"{r['unique_id']}: {r.get('status')}: {_first_line(r.get('message'))}" for r in errors] + [r.name for r in blocking]
        raise dg.Failure(
            description=f"dbt: {len(errors)} model(s) not built, {len(blocking)} blocking test(s) failed"
            + (f"; first: {names[0]}" if names else ""),
            metadata={"failed": dg.MetadataValue.text("\n".join(names[:50])), MODELS_NOT_BUILT: len(errors)},
        )


def _prepare_later_steps_meanwhile() -> threading.Thread:
    """The steps after dbt need GX (the gates: its import and context) and diff-diff (the estimate),
    ~4 s CPU: made in a thread while this process only waits for the dbt subprocess (issue 17). A
    failure here is dropped: it happens again, with its message, in the step that needs the module."""
    from pilotdw.expectations import gx_runtime

    def prepare() -> None:
        for step in (gx_runtime.prepare, lambda: importlib.import_module("diff_diff")):
            try:
                step()
            except Exception:
                pass

    thread = threading.Thread(target=prepare, name="prepare-later-steps", daemon=True)
    thread.start()
    return thread


def _first_line(text: object) -> str:
    lines = str(text or "").strip().splitlines()
    return lines[0] if lines else ""


class _BestEffort:
    """A log file whose writes may fail (a full disk) without stopping the dbt step: dbt itself then
    fails on the same disk and says so, and dagster-dbt's event generator is not broken mid-flush
    (which printed a traceback of its own)."""

    def __init__(self, fh):
        self._fh = fh

    def write(self, text: str) -> int:
        try:
            return self._fh.write(text)
        except OSError:
            return len(text)

    def flush(self) -> None:
        try:
            self._fh.flush()
        except OSError:
            pass

    def __getattr__(self, name):
        return getattr(self._fh, name)


def _quietly(invocation, log_path: Path):
    """dagster-dbt echoes every dbt log line to stdout; pilotdw's stdout is the run summary, so the
    lines go to the build's dbt.log instead. If the step stops early (an error, a closed generator)
    the dbt process is stopped too, so it does not keep the build database locked."""
    events = invocation.stream()
    with log_path.open("a", encoding="utf-8") as log:
        log = _BestEffort(log)
        try:
            while True:
                with contextlib.redirect_stdout(log):
                    try:
                        event = next(events)
                    except StopIteration:
                        return
                yield event
        except BaseException:
            process = invocation.process
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(timeout=30)
                except subprocess.TimeoutExpired:
                    process.kill()
            raise


class PilotdwDbtCli(DbtCliResource):
    """dagster-dbt's resource without two start-up costs of every invocation that pilotdw never uses
    (issue 7, measured at 1×): `dbt --version` run in a subprocess to learn the version (~4 s; it
    also looks for a newer dbt online), and an in-process dbt adapter, which dagster-dbt only needs
    to fetch row counts or column metadata (~3–7 s)."""

    @cached_property
    def _cli_version(self):
        if Path(self.dbt_executable) not in (Path(sys.executable).with_name("dbt"), Path(sys.executable)):
            return DbtCliResource._cli_version.func(self)  # some other dbt: ask it
        from importlib.metadata import version
        from packaging.version import parse

        return parse(version("dbt-core"))  # this environment's dbt is this environment's dbt-core

    def _initialize_dbt_core_adapter(self, args):
        return None


def dbt_resource() -> DbtCliResource:
    # The dbt of this environment, whether or not the venv is on PATH (cron, the UI, `uv run`), run
    # as `python -m orchestration.dbt_child` so that it dies with the run (settings.children).
    return PilotdwDbtCli(
        project_dir=dbt_project(),
        profiles_dir=str(settings.DBT_PROJECT_DIR),
        target="build",
        dbt_executable=sys.executable,
        global_config_flags=["-m", "pilotdw.orchestration.dbt_child"],
    )


def mart_keys() -> list[dg.AssetKey]:
    """Every dbt model in the marts schema: what the report and publication wait for."""
    manifest = json.loads(dbt_project().manifest_path.read_text(encoding="utf-8"))
    keys = []
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and table_of(node)[0] == "marts":
            keys.append(dg.AssetKey(list(table_of(node))))
    return sorted(keys, key=lambda k: k.to_user_string())
