"""Writing the reports of one year: the national evaluation report (HTML and XLSX) and a card per
locality (HTML), from a published warehouse.

    write_reports(con, out_dir, year=2024, lang="zh", previous=previous_con)

writes out_dir/<year>/national.html, national.xlsx and localities/<code>.html, and returns their
paths. Every figure is read from marts.* (and audit.* for data quality and provenance); nothing is
computed here beyond layout.
"""
from __future__ import annotations

from pathlib import Path

import duckdb
from jinja2 import Environment, FileSystemLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from pilotdw.reports import context, effect, labels
from pilotdw.reports.formatting import data_value, fmt, is_missing, kind
from pilotdw.reports.national_workbook import national_sheets
from pilotdw.reports.warehouse import Warehouse
from pilotdw.reports.workbook import write_workbook

TEMPLATES = Path(__file__).parent / "templates"


def _plain(value: object) -> str:
    """Observed values and thresholds of checks: numbers without noise, anything else as text."""
    if is_missing(value):
        return fmt(None, "text")
    if isinstance(value, float):
        return f"{value:,.4g}" if abs(value) < 1e6 else f"{value:,.0f}"
    return str(value)


def environment(lang: str) -> Environment:
    """The Jinja environment of one report language: the catalogue and formatters as globals."""
    if lang not in labels.LANGS:
        raise ValueError(f"unknown report language {lang!r}; expected one of {labels.LANGS}")
    env = Environment(
        loader=FileSystemLoader(TEMPLATES),
        autoescape=select_autoescape(["html"], default_for_string=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.globals.update(
        lang=lang,
        html_lang=labels.HTML_LANG[lang],
        t=lambda key, **fields: labels.text(key, lang, **fields),
        # a catalogue sentence with figures (macro output) put in: the sentence is trusted markup,
        # every other field is escaped by Markup.format
        tm=lambda key, **fields: Markup(labels.text(key, lang)).format(**fields),
        col=lambda name: labels.column(name, lang),
        fmt=lambda value, kind: fmt(value, kind, lang),
        display=kind,  # a column's display kind, from the catalogue
        # the marts the pages cite (data-table), named once in context.py / effect.py
        NS=context.NS, COV=context.COV, EFF=context.EFF, PAR=context.PAR, EFFECT=effect.EFFECT,
        dv=data_value,
        missing=is_missing,
        plain=_plain,
        rk=context.row_key,
        yk=context.year_key,
        source_label=lambda v: labels.source(v, lang),
        severity_label=lambda v: labels.severity(v, lang),
        load_status_label=lambda v: labels.load_status(v, lang),
    )
    return env


def write_reports(
    con: duckdb.DuckDBPyConnection,
    out_dir: Path,
    *,
    year: int | None = None,
    lang: str = "zh",
    previous: duckdb.DuckDBPyConnection | None = None,
    workbook_from: tuple[Path, Path | None] | None = None,
) -> list[Path]:
    """Render the national report (HTML, XLSX) and every locality card for `year` (default: the
    latest year in marts.national_summary). `previous` is the previously published warehouse, for
    the "changes since the previous build" sections. `workbook_from`: (build file, previous
    warehouse file or None), the DuckDB files behind `con` and `previous`, both opened read-only:
    national.xlsx is then written by a second process meanwhile (reports/national_xlsx.py)."""
    env = environment(lang)
    wh = Warehouse(con)
    year = year if year is not None else wh.latest_year()
    if year is None:
        raise ValueError("marts.national_summary has no year: nothing to report")
    if wh.national_summary(year) is None:
        raise ValueError(f"marts.national_summary has no row for {year}; years present: {wh.years()}")
    prev = Warehouse(previous) if previous is not None else None

    target_dir = Path(out_dir) / str(year)
    (target_dir / "localities").mkdir(parents=True, exist_ok=True)
    workbook = None
    if workbook_from is not None:
        from pilotdw.reports import national_xlsx

        workbook = national_xlsx.start(*workbook_from, year, lang, target_dir / "national.xlsx")
    try:
        base = context.common(wh, year, lang)
        status_rows = wh.enterprise_status(year, lang)

        national_ctx = context.national(wh, prev, year, lang, base)
        written = [_write(target_dir / "national.html", env.get_template("national.html").render(**national_ctx))]
        if workbook is None:
            written.append(write_workbook(national_sheets(wh, national_ctx, lang, status_rows), target_dir / "national.xlsx"))

        card = env.get_template("locality.html")
        for row in national_ctx["localities"]:
            code = row["locality_code"]
            ctx = context.card(wh, prev, year, lang, base, code, status_rows)
            written.append(_write(target_dir / "localities" / f"{code}.html", card.render(**ctx)))
        if workbook is not None:
            written.insert(1, workbook[1].result())
    finally:
        if workbook is not None:
            workbook[0].shutdown(wait=True, cancel_futures=True)
    return written


def _write(path: Path, html: str) -> Path:
    path.write_text(html, encoding="utf-8")
    return path
