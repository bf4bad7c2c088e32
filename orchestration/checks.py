"""The quality gates (expectations/) as Dagster asset checks: `block` checks are blocking checks on
the tables they guard, so downstream assets of the same run wait for them and are skipped when one
fails. Two check ops, because raw checks must finish before dbt runs and mart checks after it."""

import dagster as dg
import duckdb

from pilotdw import settings
from pilotdw.orchestration.resources import PilotdwHome

RAW_SCHEMAS = ("raw", "audit")


def _asset_key(table: str) -> dg.AssetKey:
    return dg.AssetKey(table.split("."))


def check_specs_for(schemas_in: bool) -> list[dg.AssetCheckSpec]:
    """Dagster specs for the gates on raw/audit tables (True) or on dbt's tables (False)."""
    from pilotdw.expectations.checks import check_specs

    return [
        dg.AssetCheckSpec(
            name=spec.name,
            asset=_asset_key(spec.table),
            blocking=spec.severity == "block",
            description=f"[{spec.severity}] {spec.reason} (threshold {spec.threshold})",
        )
        for spec in check_specs()
        if (spec.table.split(".")[0] in RAW_SCHEMAS) == schemas_in
    ]


def _results(context: dg.AssetCheckExecutionContext, pilotdw: PilotdwHome, names: list[str]):
    from pilotdw.expectations.checks import check_specs
    from pilotdw.expectations.gates import run_checks

    tables = {s.name: s.table for s in check_specs()}
    run_id = context.run.run_id
    with duckdb.connect(str(pilotdw.build_db(run_id)), config=settings.duckdb_config()) as con:
        results = run_checks(con, run_id, names=names)
    failed = [r for r in results if not r.passed]
    pilotdw.say(f"gates: {len(results)} checks, {sum(r.severity == 'block' for r in failed)} blocking and {sum(r.severity == 'warn' for r in failed)} warning failures")
    for r in results:
        yield dg.AssetCheckResult(
            check_name=r.name,
            asset_key=_asset_key(tables[r.name]),
            passed=bool(r.passed),
            severity=dg.AssetCheckSeverity.ERROR if r.severity == "block" else dg.AssetCheckSeverity.WARN,
            metadata={
                "observed": dg.MetadataValue.text(str(r.observed)),
                "threshold": dg.MetadataValue.text(str(r.threshold)),
                "message": dg.MetadataValue.text(r.message or ""),
                "failing_rows_sql": dg.MetadataValue.text(r.failing_sql or ""),
            },
        )


def _gate_op(name: str, raw: bool) -> dg.AssetChecksDefinition:
    specs = check_specs_for(raw)

    @dg.multi_asset_check(name=name, specs=specs)
    def gate(context: dg.AssetCheckExecutionContext, pilotdw: PilotdwHome):
        yield from _results(context, pilotdw, [s.name for s in specs])

    return gate


raw_gates = _gate_op("raw_gates", raw=True)
mart_gates = _gate_op("mart_gates", raw=False)
