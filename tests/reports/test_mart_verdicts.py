"""The reports take "behind schedule" and the on-track counts from the marts, never judging on_track
themselves (issue 15): a warehouse whose marts say something no Python recount would say is shown as
the marts say it."""
from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from pilotdw.reports.render import write_reports


@pytest.fixture(scope="module")
def odd(warehouse_path, year, tmp_path_factory) -> dict:
    """A copy of the warehouse the real pipeline published, then: national_summary's three counts
    set to numbers no count of the coverage rows gives, and one on-track locality's behind_schedule
    set TRUE (and one behind locality's FALSE), so a report that re-derived either would show
    something else."""
    YEAR = year
    path = tmp_path_factory.mktemp("odd") / "warehouse.duckdb"
    shutil.copy(warehouse_path, path)
    with duckdb.connect(str(path)) as con:
        con.execute("UPDATE marts.national_summary SET localities_on_track = 101, localities_behind_schedule = 202, "
                    "localities_without_eligible = 303 WHERE year = ?", [YEAR])
        flipped_to_behind = con.execute(
            "SELECT min(locality_code) FROM marts.coverage_by_locality_year WHERE year = ? AND on_track", [YEAR]).fetchone()[0]
        flipped_to_ok = con.execute(
            "SELECT min(locality_code) FROM marts.coverage_by_locality_year WHERE year = ? AND NOT on_track", [YEAR]).fetchone()[0]
        con.execute("UPDATE marts.coverage_by_locality_year SET behind_schedule = (locality_code = ?) "
                    "WHERE locality_code IN (?, ?)", [flipped_to_behind, flipped_to_behind, flipped_to_ok])
        names = dict(con.execute("SELECT locality_code, locality_name FROM marts.dim_locality").fetchall())
        behind = {c for (c,) in con.execute(
            "SELECT locality_code FROM marts.coverage_by_locality_year WHERE year = ? AND behind_schedule", [YEAR]).fetchall()}
    out = tmp_path_factory.mktemp("odd_out")
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, out, year=YEAR)
    return {"dir": out / str(YEAR), "names": names, "behind": behind,
            "to_behind": flipped_to_behind, "to_ok": flipped_to_ok}


def test_legend_counts_are_national_summarys(odd):
    html = (odd["dir"] / "national.html").read_text(encoding="utf-8")
    legend = html[html.index('<p class="legend">'):html.index("</p>", html.index('<p class="legend">'))]
    assert re.findall(r"\((\d+)\)", legend) == ["101", "202", "303"]


def test_chart_and_tables_mark_the_marts_behind_schedule(odd):
    assert odd["to_behind"] and odd["to_ok"]
    html = (odd["dir"] / "national.html").read_text(encoding="utf-8")
    start = html.index('<section id="coverage">')
    chart = html[start:html.index("</svg>", start)]
    hatched = re.findall(r'<g class="bar behind">\s*<text[^>]*>([^<]+)</text>', chart)
    assert sorted(hatched) == sorted(odd["names"][c] for c in odd["behind"])
    assert odd["names"][odd["to_behind"]] in hatched and odd["names"][odd["to_ok"]] not in hatched
    # the card's headline box and trend bar follow the same column
    card = (odd["dir"] / "localities" / f"{odd['to_behind']}.html").read_text(encoding="utf-8")
    assert '<div class="kpi hero behind">' in card
    card = (odd["dir"] / "localities" / f"{odd['to_ok']}.html").read_text(encoding="utf-8")
    assert '<div class="kpi hero">' in card
