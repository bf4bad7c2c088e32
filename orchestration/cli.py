"""`pilotdw`: run the nightly job, query the published warehouse, make demo data, render reports.

Heavy libraries (Dagster, dbt, Great Expectations) are imported inside the command that needs them,
so `pilotdw --help` and `pilotdw sql` start in a fraction of a second.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from pilotdw import settings
EXIT_HOME_BUSY = 3  # 0 published/unchanged, 1 blocked by a gate, 2 failed (orchestration.summary.RunSummary.exit_code)

_LANDING = click.option("--landing", type=click.Path(file_okay=False, path_type=Path), envvar="PILOTDW_LANDING",
                        help="Landing folder with registers/, pilots/, assessments/, filings/ [env PILOTDW_LANDING; default ./landing].")
_WAREHOUSE = click.option("--warehouse", envvar="PILOTDW_WAREHOUSE_URL", default=None, metavar="postgresql://USER:PASSWORD@HOST:PORT/DB",
                          help="Build and publish on this PostgreSQL server instead of <home>/warehouse.duckdb [env PILOTDW_WAREHOUSE_URL].")
_HOME = click.option("--home", type=click.Path(file_okay=False, path_type=Path), envvar="PILOTDW_HOME",
                     help="pilotdw home: archive, builds, warehouse.duckdb, reports/ [env PILOTDW_HOME; default ./pilotdw_home].")


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="pilotdw")
def main() -> None:
    """pilotdw — 创新管理知识产权国际标准实施试点 data warehouse (ISO 56005 pilot, 国知办发运字〔2023〕23号).

    Loads enterprise registers, pilot lists, assessments and annual filings; computes coverage and
    improvement per locality and year; publishes a DuckDB warehouse and the national report only when
    every blocking quality gate passes.

    \b
    Typical use:
      pilotdw demo-data ./landing            # a realistic landing folder to try things on
      pilotdw run --landing ./landing --home ./pilotdw_home
      pilotdw sql "SELECT * FROM marts.national_summary" --home ./pilotdw_home
      pilotdw release --year 2025 --home ./pilotdw_home   # freeze the official result of a year

    \b
    Exit status of `pilotdw run`: 0 published or unchanged, 1 blocked by a quality gate,
    2 failed (the summary's Reason: line says why, e.g. out of disk space), 3 another run holds
    the home. `pilotdw sql` runs one read-only SELECT: 0 done, 1 DuckDB error, 2 refused,
    3 timed out, 130 Ctrl-C.
    """


@main.command()
@_LANDING
@_HOME
@click.option("--quiet", "-q", is_flag=True, help="No progress on the console; only the final summary.")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="PILOTDW_REPORT_LANG", default="zh", show_default=True, help="Report language.")
@click.option("--force", is_flag=True, help="Rebuild even when nothing landed since the published build.")
@_WAREHOUSE
def run(landing: Path | None, home: Path | None, quiet: bool, lang: str, force: bool, warehouse: str | None) -> None:
    """Run the nightly job now: archive, rebuild, gate, report, publish.

    \b
    Exit status:
      0  published, or nothing landed since the published build (unchanged)
      1  a blocking quality gate stopped publication (the summary names each failed check and rejected file)
      2  the run failed otherwise (a crash, a full disk: the summary's "Reason:" line says which)
      3  another pilotdw run holds this home; nothing was done

    The summary is also written to <home>/runs/<run_id>.md. A run whose predecessor was killed marks
    that run FAILED in Dagster's run history, removes its build and carries on.
    """
    from pilotdw.orchestration.runner import HomeBusy, run_nightly

    try:
        summary = run_nightly(settings.landing_dir(landing), settings.home_dir(home), quiet=quiet, report_lang=lang, force=force,
                              warehouse_url=warehouse)
    except HomeBusy as exc:
        click.echo(f"Error: {exc}", err=True)
        sys.exit(EXIT_HOME_BUSY)
    click.echo(summary.text)
    sys.exit(summary.exit_code)


@main.command()
@click.argument("query")
@_HOME
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True,
              help="table: the first 200 rows for reading; csv, json: every row, streamed in batches (flat memory).")
@click.option("--timeout", type=float, default=300.0, show_default=True, help="Seconds after which the query is stopped (0: no limit).")
@_WAREHOUSE
@click.option("--role", default=None, help="With --warehouse: run as this role (e.g. pilotdw_reader, pilotdw_locality_310000).")
def sql(query: str, home: Path | None, fmt: str, timeout: float, warehouse: str | None, role: str | None) -> None:
    """Run one read-only QUERY against the published warehouse (<home>/warehouse.duckdb; with
    --warehouse, the PostgreSQL server's published marts and audit, as --role, in a read-only
    transaction).

    \b
    One statement per call, and only one that reads: SELECT (also WITH … SELECT, DESCRIBE, SHOW,
    SUMMARIZE, VALUES). Refused: COPY, ATTACH, DETACH, USE, INSTALL, LOAD, SET, PRAGMA, CALL, EXPORT
    and every write. No file is read or written (read_csv('/etc/passwd') is refused by DuckDB:
    enable_external_access=false, lock_configuration=true). Ctrl-C stops the query.

    \b
    Exit status: 0 done, 1 DuckDB reported an error, 2 refused before running, 3 stopped by --timeout,
    130 stopped by Ctrl-C.

    \b
    Example: pilotdw sql "SELECT locality_name, cumulative_coverage FROM marts.coverage_by_locality_year WHERE year = 2024"
    """
    from pilotdw.orchestration.safe_sql import run_query

    if warehouse:
        return _sql_on_server(warehouse, query, role, fmt)
    warehouse = settings.home_dir(home) / "warehouse.duckdb"
    if not warehouse.exists():
        raise click.ClickException(f"no published warehouse at {warehouse}; run `pilotdw run` first")
    sys.exit(run_query(warehouse, query, fmt, timeout))


def _sql_on_server(url: str, query: str, role: str | None, fmt: str) -> None:
    """`pilotdw sql --warehouse`: the query on the PostgreSQL warehouse, printed as DuckDB prints."""
    import duckdb
    import psycopg

    from pilotdw.orchestration.pg_sql import query_frame

    try:
        frame = query_frame(url, query, role)
    except (psycopg.Error, ValueError) as exc:
        raise click.ClickException(str(exc).strip()) from None
    if frame is None:
        return
    if fmt == "table":
        duckdb.from_df(frame).show(max_width=200, max_rows=200)
    else:
        click.echo(frame.to_csv(index=False) if fmt == "csv" else frame.to_json(orient="records", force_ascii=False, date_format="iso"), nl=False)
        if fmt == "json":
            click.echo()


@main.command("demo-data")
@click.argument("out", type=click.Path(file_okay=False, path_type=Path))
@click.option("--scale", type=float, default=1.0, show_default=True, help="Size relative to the demo (1.0 ≈ a few thousand enterprises).")
@click.option("--enterprises", type=int, default=None, help="Exact number of eligible enterprises (benchmarks: 25000 = national scale).")
@click.option("--seed", type=int, default=2023, show_default=True)
@click.option("--with-rejects", is_flag=True, help="Also land files that must be rejected (for trying the gates).")
@click.option("--formats", type=click.Choice(["mixed", "csv"]), default="mixed", show_default=True,
              help="mixed: every accepted shape (xlsx, tsv, GB18030 …); csv: plain UTF-8 csv (benchmarks).")
@click.option("--overwrite", is_flag=True, help="Empty OUT's source folders first.")
def demo_data(out: Path, scale: float, enterprises: int | None, seed: int, with_rejects: bool, formats: str, overwrite: bool) -> None:
    """Write a realistic landing folder for all 37 localities, 2023–2025, into OUT."""
    from pilotdw.demo.generate import write_landing

    kwargs = {"scale": scale, "seed": seed, "include_rejects": with_rejects, "formats": formats, "overwrite": overwrite}
    if enterprises:
        kwargs["enterprises"] = enterprises
    try:
        summary = write_landing(out, progress=lambda m: click.echo(m, err=True), **kwargs)
    except FileExistsError as exc:
        raise click.ClickException(f"{exc} (use --overwrite to replace it)") from None
    click.echo(f"demo landing folder written to {out}")
    for source in ("registers", "pilots", "assessments", "filings"):
        click.echo(f"  {source:<12} {summary['files'][source]:>4} files {summary['rows'][source]:>9,} rows "
                   f"{summary['bad_rows'][source]:>5} deliberately bad")


@main.command()
@click.argument("path")
@click.option("--reason", required=True, help="Why the file is withdrawn (kept in the manifest and audit.loads).")
@_HOME
def withdraw(path: str, reason: str, home: Path | None) -> None:
    """Withdraw a landed file PATH (landing-relative, e.g. pilots/scan.pdf) from all later builds.

    For a file that can never load — a PDF dropped into pilots/, a list sent to the wrong folder.
    Its bytes stay in the archive; landing new content at the same path brings the path back.
    Run `pilotdw run` afterwards to rebuild without it.
    """
    from pilotdw.sources.archive import withdraw as withdraw_path

    archive = settings.home_dir(home) / "archive"
    try:
        record = withdraw_path(archive, path, reason)
    except KeyError as exc:
        raise click.ClickException(str(exc.args[0])) from None
    click.echo(f"withdrawn: {record.path} ({record.content_hash[:12]}) — {reason}")


@main.command()
@_HOME
@click.option("--year", type=int, default=None, help="Report year (default: the latest year with data).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
def report(home: Path | None, year: int | None, lang: str) -> None:
    """Render the national report and locality cards for YEAR from the published warehouse into <home>/reports."""
    import duckdb

    from pilotdw.reports.render import write_reports

    home_path = settings.home_dir(home)
    warehouse = home_path / "warehouse.duckdb"
    if not warehouse.exists():
        raise click.ClickException(f"no published warehouse at {warehouse}; run `pilotdw run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        written = write_reports(con, home_path / "reports", year=year, lang=lang)
    for path in written:
        click.echo(path)


@main.command()
@_HOME
@click.option("--year", type=int, required=True, help="The evaluation year this build is the official result of.")
@click.option("--supersede", is_flag=True, help="Replace an existing release of YEAR (the old one is kept as releases/<YEAR>.superseded-<time>).")
def release(home: Path | None, year: int, supersede: bool) -> None:
    """Freeze the published build as the official evaluation of YEAR: <home>/releases/<YEAR>/.

    \b
    It holds a copy of warehouse.duckdb, the reports, and manifest.json: the source files with their
    SHA-256, the archive entries the build was made from, the code version, the build id and a
    checksum of every file. Releases are never pruned and never overwritten without --supersede.
    `pilotdw rebuild --release YEAR --out DIR` rebuilds one from the archive.
    """
    from pilotdw.orchestration.release import ReleaseError, make_release

    try:
        folder = make_release(settings.home_dir(home), year, supersede=supersede)
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"released {year}: {folder}")


@main.command()
@_HOME
@click.option("--as-of", "as_of", default=None, help="Rebuild from the files that had landed by this date (YYYY-MM-DD, the whole day, UTC) or ISO time.")
@click.option("--release", "release_year", type=int, default=None, help="Rebuild from the archive entries recorded in the manifest of this release.")
@click.option("--out", type=click.Path(file_okay=False, path_type=Path), required=True, help="An empty folder: the rebuilt home (warehouse.duckdb, reports/).")
@click.option("--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True)
@click.option("--quiet", "-q", is_flag=True)
def rebuild(home: Path | None, as_of: str | None, release_year: int | None, out: Path, lang: str, quiet: bool) -> None:
    """Rebuild the warehouse from the archive as it was: the files landed by --as-of, or those of a
    release (--release YEAR), into a new home OUT. The home itself is not touched.

    Exits like `pilotdw run` (0 published into OUT, 1 blocked by a gate, 2 failed).
    """
    from pilotdw.orchestration.release import ReleaseError, entries_as_of, release_entries, seed_home
    from pilotdw.orchestration.runner import run_nightly

    if (as_of is None) == (release_year is None):
        raise click.UsageError("give exactly one of --as-of DATE and --release YEAR")
    home_path = settings.home_dir(home)
    try:
        entries = release_entries(home_path, release_year) if release_year is not None else entries_as_of(home_path / "archive", as_of)
        if not entries:
            raise ReleaseError(f"no file had landed by {as_of}")
        landing = seed_home(home_path / "archive", entries, out.resolve())
    except ReleaseError as exc:
        raise click.ClickException(str(exc)) from None
    summary = run_nightly(landing, out.resolve(), quiet=quiet, report_lang=lang, force=True)
    click.echo(summary.text)
    sys.exit(summary.exit_code)


if __name__ == "__main__":
    main()
