"""`pilotdw`: run the nightly job, query the published warehouse, make demo data, render reports.

Heavy libraries (Dagster, dbt, Great Expectations) are imported inside the command that needs them,
so `pilotdw --help` and `pilotdw sql` start in a fraction of a second.
"""
from __future__ import annotations

import sys
from pathlib import Path

import click

from pilotdw import settings
_LANDING = click.option("--landing", type=click.Path(file_okay=False, path_type=Path), envvar="PILOTDW_LANDING",
                        help="Landing folder with registers/, pilots/, assessments/, filings/ [env PILOTDW_LANDING; default ./landing].")
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
    """


@main.command()
@_LANDING
@_HOME
@click.option("--quiet", "-q", is_flag=True, help="No progress on the console; only the final summary.")
@click.option("--lang", type=click.Choice(["zh", "en"]), envvar="PILOTDW_REPORT_LANG", default="zh", show_default=True, help="Report language.")
@click.option("--force", is_flag=True, help="Rebuild even when nothing landed since the published build.")
def run(landing: Path | None, home: Path | None, quiet: bool, lang: str, force: bool) -> None:
    """Run the nightly job now: archive, rebuild, gate, report, publish.

    Exits 0 when the warehouse was published (or nothing landed since the published build), 1 when a
    blocking gate stopped publication (the summary names each failed check and rejected file), 2 when
    the run failed for another reason. The summary is also written to <home>/runs/<run_id>.md.
    """
    from pilotdw.orchestration.runner import HomeBusy, run_nightly

    try:
        summary = run_nightly(settings.landing_dir(landing), settings.home_dir(home), quiet=quiet, report_lang=lang, force=force)
    except HomeBusy as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(summary.text)
    sys.exit(summary.exit_code)


@main.command()
@click.argument("query")
@_HOME
@click.option("--format", "fmt", type=click.Choice(["table", "csv", "json"]), default="table", show_default=True)
def sql(query: str, home: Path | None, fmt: str) -> None:
    """Run QUERY against the published warehouse, read-only.

    \b
    Example: pilotdw sql "SELECT locality_name, cumulative_coverage FROM marts.coverage_by_locality_year WHERE year = 2024"
    """
    import duckdb

    warehouse = settings.home_dir(home) / "warehouse.duckdb"
    if not warehouse.exists():
        raise click.ClickException(f"no published warehouse at {warehouse}; run `pilotdw run` first")
    with duckdb.connect(str(warehouse), read_only=True) as con:
        try:
            rel = con.sql(query)
        except duckdb.Error as exc:
            raise click.ClickException(str(exc)) from None
        if rel is None:
            return
        if fmt == "table":
            rel.show(max_width=200, max_rows=200)
        else:
            frame = rel.df()
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


if __name__ == "__main__":
    main()
