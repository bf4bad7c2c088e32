"""The stages of the house plan as Dagster assets: landing archive → raw layer → (dbt) → gates →
report → publish. Each asset only calls its room's code; the rules live in those rooms."""

import dagster as dg

from pilotdw.orchestration.dbt import mart_keys
from pilotdw.orchestration.fingerprint import build_fingerprint, is_published
from pilotdw.orchestration.publish import PublicationBlocked
from pilotdw.orchestration.resources import PilotdwHome
from pilotdw.settings import SOURCES

RAW_KEYS = {source: dg.AssetKey(["raw", source]) for source in SOURCES}
AUDIT_LOADS = dg.AssetKey(["audit", "loads"])
AUDIT_QUARANTINE = dg.AssetKey(["audit", "quarantine"])
REPORTS = dg.AssetKey(["reports"])
PILOT_EFFECT = dg.AssetKey(["marts", "pilot_effect"])
# What the estimate reads (dbt's keys are [schema, table]: orchestration/dbt.py).
PILOT_EFFECT_INPUTS = [
    dg.AssetKey(["intermediate", "int_effect_panel"]),
    dg.AssetKey(["intermediate", "int_effect_excluded_pilots"]),
    dg.AssetKey(["seeds", "effect_outcomes"]),
    dg.AssetKey(["seeds", "localities"]),
]
PUBLISHED = dg.AssetKey(["published_warehouse"])


@dg.asset(
    key=["landing_archive"],
    group_name="landing",
    output_required=False,
    description="Every landed file copied once into the content-addressed archive. Not materialised when nothing "
    "landed and nothing changed since the published build: the rest of the run is then skipped.",
)
def landing_archive(context: dg.AssetExecutionContext, pilotdw: PilotdwHome):
    from pilotdw.orchestration.space import NotEnoughSpace, check_space_before_build
    from pilotdw.sources.archive import archive_landing

    try:
        check_space_before_build(pilotdw)
    except NotEnoughSpace as exc:
        pilotdw.say(str(exc))
        raise dg.Failure(description=str(exc)) from None
    added = archive_landing(pilotdw.landing_path, pilotdw.archive_dir)
    pilotdw.say(f"archive: {len(added)} new or changed file(s) from {pilotdw.landing_path}")
    fingerprint = build_fingerprint(pilotdw.archive_dir)
    if is_published(pilotdw, fingerprint):
        pilotdw.say("nothing landed and nothing changed since the published build: warehouse and reports stay as they are")
        return
    yield dg.MaterializeResult(metadata={"new_files": len(added), "fingerprint": fingerprint, "paths": dg.MetadataValue.json([a.path for a in added])})


@dg.multi_asset(
    name="raw_layer",
    group_name="raw",
    specs=[
        *(dg.AssetSpec(key, description=f"Accepted rows of every {s} file, normalised, with file and row number.", deps=["landing_archive"]) for s, key in RAW_KEYS.items()),
        dg.AssetSpec(AUDIT_LOADS, description="One row per source file seen: status, rows read, loaded, quarantined.", deps=["landing_archive"]),
        dg.AssetSpec(AUDIT_QUARANTINE, description="One row per quarantined row with file, row, column and reason.", deps=["landing_archive"]),
    ],
)
def raw_layer(context: dg.AssetExecutionContext, pilotdw: PilotdwHome):
    """Parse the whole archive into this run's fresh build (rebuild, don't mutate)."""
    summary = pilotdw.engine().load_raw(context.run.run_id, build_fingerprint(pilotdw.archive_dir))
    for source, key in RAW_KEYS.items():
        yield dg.MaterializeResult(
            asset_key=key,
            metadata={
                "files": sum(o.entry.source == source and o.status == "loaded" for o in summary.outcomes),
                "rows_loaded": summary.rows(source),
                "rows_quarantined": summary.rows(source, "rows_quarantined"),
            },
        )
    yield dg.MaterializeResult(
        asset_key=AUDIT_LOADS,
        metadata={status: summary.count(status) for status in ("loaded", "duplicate", "superseded", "rejected")},
    )
    yield dg.MaterializeResult(asset_key=AUDIT_QUARANTINE, metadata={"rows": summary.rows(attr="rows_quarantined")})
    pilotdw.say(
        f"raw: {summary.count('loaded')} file(s) loaded, {summary.rows():,} rows, "
        f"{summary.rows(attr='rows_quarantined'):,} quarantined, {summary.count('rejected')} rejected, "
        f"{summary.count('duplicate')} duplicate, {summary.count('superseded')} superseded"
    )


@dg.asset(
    key=PILOT_EFFECT,
    group_name="evaluation",
    deps=PILOT_EFFECT_INPUTS,
    description="The pilot's causal effect per outcome, nationally and per locality (metrics.md \"Pilot effect\"): "
    "Callaway & Sant'Anna with not-yet-treated comparison, clustered multiplier bootstrap. Written into this "
    "build before the mart gates judge it.",
)
def pilot_effect(context: dg.AssetExecutionContext, pilotdw: PilotdwHome) -> dg.MaterializeResult:
    from pilotdw.evaluation.warehouse import build_pilot_effect

    # the engine's connection to this build: a DuckDB file, or the build's schemas on PostgreSQL
    with pilotdw.engine().build_connection(context.run.run_id) as con:
        frame = build_pilot_effect(con)
    overall = frame[frame["aggregation"] == "overall"]
    estimated = int((overall["status"] == "estimated").sum())
    pilotdw.say(f"pilot effect: {estimated} of {len(overall)} scope-outcome(s) estimated, {len(frame)} row(s)")
    return dg.MaterializeResult(metadata={"rows": len(frame), "estimated_overall": estimated, "overall_rows": len(overall)})


@dg.asset(key=REPORTS, group_name="report", deps=[*mart_keys(), PILOT_EFFECT], description="The national evaluation report and the locality cards, rendered from the marts of this build.")
def reports(context: dg.AssetExecutionContext, pilotdw: PilotdwHome) -> dg.MaterializeResult:
    from pilotdw.reports.render import write_reports

    out = pilotdw.build_reports_dir(context.run.run_id)
    with pilotdw.engine().report_inputs(context.run.run_id) as (con, prev_con, workbook_from):
        written = write_reports(con, out, lang=pilotdw.report_lang, previous=prev_con, workbook_from=workbook_from)
    pilotdw.say(f"report: {len(written)} file(s) written")
    return dg.MaterializeResult(metadata={"files": len(written), "folder": str(out)})


@dg.asset(key=PUBLISHED, group_name="publish", deps=[REPORTS], description="The build, verified, atomically renamed to <home>/warehouse.duckdb; its reports to <home>/reports.")
def published_warehouse(context: dg.AssetExecutionContext, pilotdw: PilotdwHome) -> dg.MaterializeResult:
    engine = pilotdw.engine()
    published = engine.publish(context.run.run_id)  # raises PublicationBlocked when a gate failed
    pilotdw.say(f"published: {engine.describe()}")
    return dg.MaterializeResult(metadata=published)


__all__ = ["PublicationBlocked", "landing_archive", "raw_layer", "pilot_effect", "reports", "published_warehouse"]
