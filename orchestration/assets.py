"""The stages of the house plan as Dagster assets: landing archive → raw layer → (dbt) → gates →
report → publish. Each asset only calls its room's code; the rules live in those rooms."""

import dagster as dg
import duckdb

from pilotdw import settings
from pilotdw.orchestration.dbt import mart_keys
from pilotdw.orchestration.fingerprint import build_fingerprint, published_fingerprint
from pilotdw.orchestration.publish import PublicationBlocked, build_config, finish_build, prune_builds, publish, record_sources, start_build, verify_gates
from pilotdw.orchestration.resources import PilotdwHome
from pilotdw.settings import SOURCES

RAW_KEYS = {source: dg.AssetKey(["raw", source]) for source in SOURCES}
AUDIT_LOADS = dg.AssetKey(["audit", "loads"])
AUDIT_QUARANTINE = dg.AssetKey(["audit", "quarantine"])
REPORTS = dg.AssetKey(["reports"])
PUBLISHED = dg.AssetKey(["published_warehouse"])


@dg.asset(
    key=["landing_archive"],
    group_name="landing",
    output_required=False,
    description="Every landed file copied once into the content-addressed archive. Not materialised when nothing "
    "landed and nothing changed since the published build: the rest of the run is then skipped.",
)
def landing_archive(context: dg.AssetExecutionContext, pilotdw: PilotdwHome):
    from pilotdw.sources.archive import archive_landing

    added = archive_landing(pilotdw.landing_path, pilotdw.archive_dir)
    pilotdw.say(f"archive: {len(added)} new or changed file(s) from {pilotdw.landing_path}")
    fingerprint = build_fingerprint(pilotdw.archive_dir)
    if not pilotdw.force and fingerprint == published_fingerprint(pilotdw.warehouse):
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
    """Parse the whole archive into this run's fresh build database (rebuild, don't mutate)."""
    from pilotdw.sources.load import ingest

    build_db = pilotdw.build_db(context.run.run_id)
    build_db.parent.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(build_db), config=build_config()) as con:
        start_build(con, context.run.run_id, context.run.run_id, build_fingerprint(pilotdw.archive_dir))
        summary = ingest(con, pilotdw.archive_dir, progress=pilotdw.say)
        record_sources(con, context.run.run_id)
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


@dg.asset(key=REPORTS, group_name="report", deps=mart_keys(), description="The national evaluation report and the locality cards, rendered from the marts of this build.")
def reports(context: dg.AssetExecutionContext, pilotdw: PilotdwHome) -> dg.MaterializeResult:
    from pilotdw.reports.render import write_reports

    out = pilotdw.build_reports_dir(context.run.run_id)
    previous = pilotdw.warehouse if pilotdw.warehouse.exists() else None
    with duckdb.connect(str(pilotdw.build_db(context.run.run_id)), config=settings.duckdb_config()) as con:
        prev_con = duckdb.connect(str(previous), read_only=True) if previous else None
        try:
            written = write_reports(con, out, lang=pilotdw.report_lang, previous=prev_con)
        finally:
            if prev_con is not None:
                prev_con.close()
    pilotdw.say(f"report: {len(written)} file(s) written")
    return dg.MaterializeResult(metadata={"files": len(written), "folder": str(out)})


@dg.asset(key=PUBLISHED, group_name="publish", deps=[REPORTS], description="The build, verified, atomically renamed to <home>/warehouse.duckdb; its reports to <home>/reports.")
def published_warehouse(context: dg.AssetExecutionContext, pilotdw: PilotdwHome) -> dg.MaterializeResult:
    run_id = context.run.run_id
    build_db = pilotdw.build_db(run_id)
    with duckdb.connect(str(build_db), config=settings.duckdb_config()) as con:
        verify_gates(con, run_id)  # raises PublicationBlocked: nothing below runs
        finish_build(con, run_id)
    publish(build_db, pilotdw.build_reports_dir(run_id), pilotdw.warehouse, pilotdw.reports_link)
    linked = pilotdw.reports_link.resolve().parent.name if pilotdw.reports_link.is_symlink() else run_id
    removed = prune_builds(pilotdw.builds_dir, pilotdw.keep_builds, protect={run_id, linked})
    pilotdw.say(f"published: {pilotdw.warehouse}")
    return dg.MaterializeResult(metadata={"build_id": run_id, "warehouse": str(pilotdw.warehouse), "pruned_builds": len(removed)})


__all__ = ["PublicationBlocked", "landing_archive", "raw_layer", "reports", "published_warehouse"]
