"""The HTML reports show mart values, exactly, and nothing from outside the page. The warehouse
is the real pipeline's (tests/reports/conftest.py); every expected value is read from its marts."""
from __future__ import annotations

import re
import shutil

import duckdb
import pytest

from pilotdw.reports.render import write_reports
from reports_html import data_value_matches, parse, shown_matches
from tests.fixtures.real_builds import HOSTILE_FILE, INJECTION_NAME, NO_BASE

TABLES = {
    "marts.national_summary", "marts.coverage_by_locality_year", "marts.participation_by_locality_year",
    "marts.regional_effectiveness", "marts.pilot_effect",
}


def _mart_value(con: duckdb.DuckDBPyConnection, table: str, key: str, column: str):
    assert table in TABLES, table
    conditions = dict(part.split("=", 1) for part in key.split(";"))
    where = " AND ".join(f"{c} = ?" for c in conditions)
    rows = con.execute(f'SELECT "{column}" FROM {table} WHERE {where}', list(conditions.values())).fetchall()
    assert len(rows) == 1, f"{table} {key}: {len(rows)} rows"
    return rows[0][0]


def test_writes_national_html_xlsx_and_a_card_per_locality(rendered, warehouse_path, year):
    out = rendered["dir"]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        codes = {r[0] for r in con.execute("SELECT locality_code FROM marts.coverage_by_locality_year WHERE year = ?",
                                           [year]).fetchall()}
    assert (out / "national.html").is_file() and (out / "national.xlsx").is_file()
    assert {p.stem for p in (out / "localities").glob("*.html")} == codes
    assert len(codes) == 37
    assert set(rendered["paths"]) == {out / "national.html", out / "national.xlsx"} | {out / "localities" / f"{c}.html" for c in codes}


@pytest.mark.parametrize("page", ["national.html", "localities/110000.html", f"localities/{NO_BASE}.html"])
def test_every_figure_equals_its_mart_value(rendered, warehouse_path, previous_path, page):
    doc = parse(rendered["dir"] / page)
    assert len(doc.figures) > 20
    with duckdb.connect(str(warehouse_path), read_only=True) as cur, \
            duckdb.connect(str(previous_path), read_only=True) as prev:
        for fig in doc.figures:
            a = fig["attrs"]
            con = prev if a.get("data-db") == "previous" else cur
            value = _mart_value(con, a["data-table"], a["data-key"], a["data-col"])
            where = f"{page}: {a['data-table']} {a['data-key']} {a['data-col']}"
            assert data_value_matches(a["data-value"], value), f"{where}: data-value {a['data-value']!r} vs {value!r}"
            # a sentence says the sign in words (多/少) and shows the size: data-shown="abs"
            shown = abs(value) if a.get("data-shown") == "abs" and value is not None else value
            assert shown_matches(fig["text"], shown, a["data-col"]), f"{where}: shows {fig['text']!r}, mart has {value!r}"


@pytest.fixture(scope="module")
def first_year_dir(warehouse_path, tmp_path_factory) -> tuple[int, object]:
    """The reports of the first programme year (its late second batch: on time by the mart's rule)."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        first = con.execute("SELECT min(year) FROM marts.national_summary").fetchone()[0]
        out = tmp_path_factory.mktemp("first_year")
        write_reports(con, out, year=first)
    return first, out / str(first)


def test_timeliness_labels_follow_the_marts_list_on_time(rendered, year, first_year_dir, warehouse_path):
    """Each locality's label is the mart's verdict: no list when list_on_time is NULL, late when
    FALSE, otherwise on time (date not given when no list is dated) — never a date compared here."""
    seen: dict[str, str] = {}
    for y, folder in ((year, rendered["dir"]), first_year_dir):
        doc = parse(folder / "national.html")
        rows = [e for e in doc.elements if e["section"] == "timeliness" and e["tag"] == "tr" and e["has_figure"]]
        cells = [e for e in doc.elements if e["section"] == "timeliness" and e["tag"] == "td"]
        statuses = [c["attrs"]["class"].removeprefix("status-") for c in cells if c["attrs"].get("class", "").startswith("status-")]
        keys = [c["attrs"]["data-key"] for c in cells if c["attrs"].get("data-col") == "list_deadline"]
        assert len(rows) == len(statuses) == len(keys) == 37
        assert all(k.endswith(f";year={y}") for k in keys)
        seen.update(zip(keys, statuses))
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        mart = {f"locality_code={r[0]};year={r[1]}": r[2:] for r in con.execute(
            "SELECT locality_code, year, list_on_time, list_submitted_on, list_deadline "
            "FROM marts.coverage_by_locality_year").fetchall()}
    for key, status in seen.items():
        on_time, submitted, _ = mart[key]
        wanted = "no_list" if on_time is None else "late" if not on_time else "no_date" if submitted is None else "on_time"
        assert status == wanted, key
    # a year whose latest list date is after the deadline but whose first batch was in time: on time
    later_yet_on_time = [k for k in seen if mart[k][0] and mart[k][1] and mart[k][1] > mart[k][2]]
    assert later_yet_on_time and all(seen[k] == "on_time" for k in later_yet_on_time)
    assert {"no_list", "late", "no_date", "on_time"} <= set(seen.values())


def test_every_number_in_the_metric_sections_is_traced_to_a_mart(rendered):
    doc = parse(rendered["dir"] / "national.html")
    sections = {"key-figures", "coverage", "participation", "effectiveness", "effect", "changes"}
    numeric = [e for e in doc.elements if e["section"] in sections and (
        (e["tag"] == "td" and "num" in e["attrs"].get("class", "")) or
        (e["tag"] == "div" and e["attrs"].get("class") == "value"))]
    assert len(numeric) > 300
    untraced = [e for e in numeric if not e["has_figure"] and re.search(r"\d", e["text"])]
    assert untraced == [], [e["text"] for e in untraced[:5]]


def test_national_report_covers_every_locality_and_key_figure(rendered, warehouse_path, year):
    doc = parse(rendered["dir"] / "national.html")
    shown = {(f["attrs"]["data-table"], f["attrs"]["data-key"], f["attrs"]["data-col"]) for f in doc.figures}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        for (code,) in con.execute("SELECT locality_code FROM marts.coverage_by_locality_year WHERE year = ?", [year]).fetchall():
            key = f"locality_code={code};year={year}"
            assert ("marts.coverage_by_locality_year", key, "cumulative_coverage") in shown
            assert ("marts.regional_effectiveness", key, "effectiveness_index") in shown
            assert ("marts.participation_by_locality_year", key, "filing_rate") in shown
    for col in ("eligible_base", "batch_pilots", "cumulative_coverage", "localities_on_track", "filing_rate",
                "mean_score_delta", "share_improved", "localities_with_lists", "localities_meeting_batch_target"):
        assert ("marts.national_summary", f"year={year}", col) in shown, col


def test_coverage_chart_is_sorted_and_marks_behind_target(rendered, warehouse_path, year):
    html = (rendered["dir"] / "national.html").read_text(encoding="utf-8")
    chart = html[html.index('<section id="coverage">'):html.index("</svg>", html.index('<section id="coverage">'))]
    doc = parse(rendered["dir"] / "national.html")
    bars = [f for f in doc.figures if f["section"] == "coverage" and f["tag"] == "text"]
    values = [float(b["attrs"]["data-value"]) for b in bars]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        with_base = con.execute("SELECT count(cumulative_coverage) FROM marts.coverage_by_locality_year WHERE year = ?",
                                [year]).fetchone()[0]
        no_base = con.execute("SELECT eligible_base FROM marts.coverage_by_locality_year WHERE year = ? AND locality_code = ?",
                              [year, NO_BASE]).fetchone()[0]
        behind = con.execute("SELECT count(*) FROM marts.coverage_by_locality_year WHERE year = ? AND NOT on_track",
                             [year]).fetchone()[0]
        target = con.execute("SELECT DISTINCT target_coverage FROM marts.coverage_by_locality_year WHERE year = ?",
                             [year]).fetchone()[0]
    assert no_base == 0 and with_base == 36  # Tibet has no eligible base: no bar
    assert values == sorted(values, reverse=True) and len(values) == with_base
    assert chart.count('fill="url(#cov-hatch)"') == behind > 0
    assert 'class="target"' in chart and f"{target * 100:.1f}%" in chart


def test_histogram_counts_match_the_enterprise_rows(rendered, warehouse_path, year):
    doc = parse(rendered["dir"] / "national.html")
    bins = [e for e in doc.elements if e["attrs"].get("data-kind") == "distribution" and "data-bin-lo" in e["attrs"]]
    assert bins
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        for b in bins:
            lo, hi = float(b["attrs"]["data-bin-lo"]), float(b["attrs"]["data-bin-hi"])
            n = con.execute("SELECT count(*) FROM marts.enterprise_improvement WHERE year = ? AND score_delta >= ? "
                            "AND score_delta < ?", [year, lo, hi]).fetchone()[0]
            assert int(b["attrs"]["data-count"]) == n, (lo, hi)
        total = con.execute("SELECT count(score_delta) FROM marts.enterprise_improvement WHERE year = ?", [year]).fetchone()[0]
    assert sum(int(b["attrs"]["data-count"]) for b in bins) == total


def test_pages_are_self_contained_and_declare_their_language(rendered):
    for page in ["national.html", "localities/110000.html"]:
        doc = parse(rendered["dir"] / page)
        assert doc.html_lang == "zh-CN"
        assert not {"script", "link", "iframe", "img", "object"} & doc.tags
        external = [u for u in doc.urls if re.match(r"(?i)^(https?:|//|data:)", u)]
        assert external == []
        text = (rendered["dir"] / page).read_text(encoding="utf-8")
        assert "@import" not in text and "url(http" not in text and "@font-face" not in text


def test_text_from_the_data_is_escaped(rendered):
    # the landed file name with HTML in it is listed with its quarantined rows
    html = (rendered["dir"] / "national.html").read_text(encoding="utf-8")
    name = HOSTILE_FILE.split("/")[1]
    assert "<b>" not in html and name.replace("<", "&lt;").replace(">", "&gt;") in html


def test_only_this_builds_checks_are_shown(warehouse_path, tmp_path):
    """Targeted: a real build holds only its own run's check results, so an older run's failed check
    is added to a copy; the quality section shows this build's run only."""
    path = shutil.copy(warehouse_path, tmp_path / "old_run.duckdb")
    with duckdb.connect(str(path)) as con:
        (runs,) = con.execute("SELECT count(DISTINCT run_id) FROM audit.check_results").fetchone()
        failed = {c for (c,) in con.execute('SELECT "check" FROM audit.check_results WHERE NOT passed').fetchall()}
        con.execute("INSERT INTO audit.check_results SELECT * REPLACE ('run-older' AS run_id, FALSE AS passed, "
                    "'old run: must not be shown' AS message, checked_at - INTERVAL 2 DAY AS checked_at) "
                    "FROM audit.check_results WHERE \"check\" = 'source_files_rejected'")
    assert runs == 1
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    (folder,) = (tmp_path / "out").iterdir()
    html = (folder / "national.html").read_text(encoding="utf-8")
    assert "old run: must not be shown" not in html
    assert failed and all(check in html for check in failed)  # this build's findings are listed


def test_card_lists_the_enterprises_behind_schedule(rendered, warehouse_path, year):
    doc = parse(rendered["dir"] / "localities" / "110000.html")
    rows = [e["text"] for e in doc.elements if e["section"] == "actions" and e["tag"] == "tr"]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        expected = con.execute(
            "SELECT name FROM marts.enterprise_status_by_year WHERE year = ? AND locality_code = '110000' AND "
            "((eligible AND NOT piloted) OR (piloted AND NOT assessed_initial) OR (piloted AND NOT filed))", [year]).fetchall()
        on_schedule = con.execute(
            "SELECT name FROM marts.enterprise_status_by_year WHERE year = ? AND locality_code = '110000' AND "
            "piloted AND assessed_initial AND filed", [year]).fetchall()
    assert expected and on_schedule
    for (name,) in expected:
        assert any(name in r for r in rows), name
    for (name,) in on_schedule:
        assert not any(name in r for r in rows), name
    assert (INJECTION_NAME,) in expected and any(INJECTION_NAME in r for r in rows)


def test_changes_since_previous_build(rendered, warehouse_path, previous_path, year):
    doc = parse(rendered["dir"] / "national.html")
    changed = [e["text"] for e in doc.elements if e["section"] == "changes" and e["tag"] == "tr"]
    with duckdb.connect(str(warehouse_path), read_only=True) as cur:
        cur.execute(f"ATTACH '{previous_path}' AS prev (READ_ONLY)")
        flipped = cur.execute(
            "SELECT c.locality_name FROM marts.coverage_by_locality_year c JOIN prev.marts.coverage_by_locality_year p "
            "USING (locality_code, year) WHERE c.year = ? AND c.on_track IS DISTINCT FROM p.on_track", [year]).fetchall()
        same = cur.execute(
            "SELECT c.locality_name FROM marts.coverage_by_locality_year c JOIN prev.marts.coverage_by_locality_year p "
            "USING (locality_code, year) WHERE c.year = ? AND c.on_track IS NOT DISTINCT FROM p.on_track", [year]).fetchall()
        (build,) = cur.execute("SELECT build_id FROM audit.builds").fetchone()
        (previous,) = cur.execute("SELECT build_id FROM prev.audit.builds").fetchone()
    assert flipped  # Guangdong's latest list landed between the two runs
    for (name,) in flipped:
        assert any(r.startswith(name) for r in changed), name
    for (name,) in same:
        assert not any(r.startswith(name) for r in changed), name
    text = (rendered["dir"] / "national.html").read_text(encoding="utf-8")
    assert build != previous and build in text and previous in text


def test_english_report_and_explicit_year(warehouse_path, tmp_path):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        paths = write_reports(con, tmp_path, year=2023, lang="en")
    national = parse(tmp_path / "2023" / "national.html")
    assert national.html_lang == "en"
    html = (tmp_path / "2023" / "national.html").read_text(encoding="utf-8")
    assert "National evaluation report 2023" in html and "Beijing" in html
    for chinese_label in ("累计覆盖率", "关键指标", "数据质量", "北京市", "按时"):
        assert chinese_label not in html
    assert "No previous published build" in html
    assert (tmp_path / "2023" / "national.xlsx") in paths


def test_missing_optional_tables_are_explained(warehouse_path, tmp_path):
    # a warehouse of an older build: no status table, no national funnel, no audit of builds and checks
    path = shutil.copy(warehouse_path, tmp_path / "bare.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE marts.enterprise_status_by_year; DROP TABLE audit.builds; DROP TABLE audit.check_results")
        con.execute("ALTER TABLE marts.national_summary DROP COLUMN graded_rate")
        assert not con.execute("SELECT count(*) FROM marts.participation_by_locality_year WHERE locality_code = '000000'").fetchone()[0]
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    (folder,) = (tmp_path / "out").iterdir()
    national = (folder / "national.html").read_text(encoding="utf-8")
    card = (folder / "localities" / "310000.html").read_text(encoding="utf-8")
    assert "marts.enterprise_status_by_year" in card  # the action list says what it waits for
    assert "000000" in national and "没有全国参与汇总" in national
    assert "没有数据质量检查记录" in national and "没有构建记录" in national


def test_quarantine_by_locality_when_the_audit_records_it(rendered, warehouse_path):
    from pilotdw.reports import labels

    doc = parse(rendered["dir"] / "national.html")
    rows = [e["text"] for e in doc.elements if e["section"] == "quality" and e["tag"] == "tr"]
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        by_locality = con.execute(
            "SELECT q.source, l.locality_name, q.locality_code, count(*) FROM audit.quarantine q "
            "LEFT JOIN marts.dim_locality l USING (locality_code) GROUP BY ALL").fetchall()
        reasons = con.execute("SELECT locality_code, reason FROM audit.quarantine").fetchall()
    assert any(code is None for _, _, code, _ in by_locality) and any(code for _, _, code, _ in by_locality)
    for source, name, code, n in by_locality:
        label = labels.source(source, "zh")
        assert any(label in r and (name or labels.text("locality_unknown", "zh")) in r for r in rows), (source, code)
    # a card lists its own locality's quarantined rows, not those of another or of none
    code = next(c for c, _ in reasons if c)
    card = parse(rendered["dir"] / "localities" / f"{code}.html")
    card_rows = " ".join(e["text"] for e in card.elements if e["section"] == "quality" and e["tag"] == "tr")
    mine = {r for c, r in reasons if c == code}
    others = {r for c, r in reasons if c != code} - mine
    assert mine and others
    assert all(r in card_rows for r in mine) and not any(r in card_rows for r in others), card_rows[:500]


def test_quarantine_without_its_locality_column_says_so(warehouse_path, tmp_path):
    # a warehouse built before audit.quarantine had locality_code
    path = shutil.copy(warehouse_path, tmp_path / "old.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("ALTER TABLE audit.quarantine DROP COLUMN locality_code")
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    from pilotdw.reports import labels

    (folder,) = (tmp_path / "out").iterdir()
    html = (folder / "national.html").read_text(encoding="utf-8")
    assert labels.text("quarantine_locality_missing", "zh") in html


def test_unknown_year_or_language_is_refused(warehouse_path, tmp_path):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        with pytest.raises(ValueError, match="2031"):
            write_reports(con, tmp_path, year=2031)
        with pytest.raises(ValueError, match="fr"):
            write_reports(con, tmp_path, lang="fr")
