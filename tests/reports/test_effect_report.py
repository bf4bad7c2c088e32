"""The section 试点效果 (marts.pilot_effect): the national estimate of each outcome in words that
follow the mart's sign and interval, the event-study chart drawing every event-time row, the
parallel-trends warning exactly where the gate raised it, every locality's estimate or its reason,
the locality cards, the workbook sheet and the English page — on marts.pilot_effect as the real
pipeline estimated it (tests/reports/conftest.py)."""
from __future__ import annotations

import json
import re
import shutil

import duckdb
import pytest
from openpyxl import load_workbook

from pilotdw.reports.effect import PRE_TREND_CHECK
from pilotdw.reports.render import write_reports
from reports_html import parse
from tests.fixtures.real_builds import NO_BASE

EFFECT = "marts.pilot_effect"


def _rows(path, sql, params=()):
    with duckdb.connect(str(path), read_only=True) as con:
        cur = con.execute(sql, list(params))
        names = [d[0] for d in cur.description]
        return [dict(zip(names, r)) for r in cur.fetchall()]


def _key(r: dict) -> str:
    parts = [f"scope_code={r['scope_code']}", f"outcome={r['outcome']}", f"aggregation={r['aggregation']}"]
    return ";".join(parts + [f"{c}={r[c]}" for c in ("event_time", "cohort_year", "year") if r[c] is not None])


def _blocks(doc) -> dict[str, dict]:
    """outcome → the elements of its block in the effect section (by the block's data-outcome)."""
    out: dict[str, dict] = {}
    for e in doc.elements:
        if e["tag"] == "div" and "effect-outcome" in e["attrs"].get("class", ""):
            out[e["attrs"]["data-outcome"]] = e
    return out


@pytest.fixture(scope="module")
def national(rendered):
    return parse(rendered["dir"] / "national.html")


def test_every_outcome_has_its_national_estimate_in_words(rendered, national, warehouse_path):
    html = (rendered["dir"] / "national.html").read_text(encoding="utf-8")
    rows = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code = '000000' AND aggregation = 'overall'")
    outcomes = [r["outcome"] for r in _rows(warehouse_path, "SELECT outcome FROM seeds.effect_outcomes")]
    assert sorted(outcomes) == sorted(r["outcome"] for r in rows) and len(rows) == 4
    blocks = _blocks(national)
    assert list(blocks) == outcomes  # in the seed's order
    sentences = {e["attrs"].get("data-outcome"): e for e in national.elements if e["tag"] == "div"}
    signs = set()
    for r in rows:
        assert r["status"] == "estimated"
        text = sentences[r["outcome"]]["text"]
        figures = [f for f in national.figures if f["attrs"]["data-key"] == _key(r)]
        assert {f["attrs"]["data-col"] for f in figures} >= {"att", "ci_low", "ci_high", "p_value", "n_treated", "n_comparison"}
        word = "多" if r["att"] > 0 else "少"
        signs.add(word)
        assert f"平均{word} {abs(r['att']):,.2f}" in text, text
        assert f"置信区间为 {r['ci_low']:,.2f} 至 {r['ci_high']:,.2f}" in text, text
        covers = r["ci_low"] <= 0 <= r["ci_high"]
        assert ("区间包含 0" in text) == covers and ("区间不包含 0" in text) == (not covers), text
    assert signs  # the real estimates are all positive: the negative wording is tested on a copy below
    assert "Callaway" in html and "试点开始" in html


def _flagged(warehouse_path) -> set[str]:
    """The outcomes the parallel-trends gate of this build flagged."""
    (check,) = _rows(warehouse_path, "SELECT * FROM audit.check_results WHERE \"check\" = ?", [PRE_TREND_CHECK])
    return set() if check["passed"] else {r["outcome"] for r in json.loads(check["failing_sample"])}


def test_parallel_trends_warning_exactly_where_the_gate_raised_it(national, warehouse_path):
    (check,) = _rows(warehouse_path, "SELECT * FROM audit.check_results WHERE \"check\" = ?", [PRE_TREND_CHECK])
    assert check["severity"] == "warn" and not check["passed"]
    flagged = {r["outcome"] for r in json.loads(check["failing_sample"])}
    low_p = {r["outcome"]: r["pre_trend_p"] for r in _rows(
        warehouse_path, "SELECT outcome, pre_trend_p FROM marts.pilot_effect WHERE scope_code = '000000' "
                        "AND aggregation = 'overall' AND pre_trend_p < 0.05")}
    # the demo's pre-trend is caught; another outcome is not flagged
    assert flagged == set(low_p) and 0 < len(flagged) < 4
    blocks = _blocks(national)
    with_warning = {o for o, b in blocks.items() if "注意：试点前各期的差异不全为零" in b["text"]}
    assert with_warning == flagged
    warnings = [e for e in national.elements if e["tag"] == "div" and "effect-warning" in e["attrs"].get("class", "")]
    assert {w["attrs"]["data-check"] for w in warnings} == {PRE_TREND_CHECK} and len(warnings) == len(flagged)
    for w in warnings:
        assert any(f"p = {p:.3f}" in w["text"] for p in low_p.values()), w["text"]


def test_the_warning_check_is_the_gate_of_thresholds_yml():
    import yaml

    from pilotdw.settings import THRESHOLDS_YML

    checks = {c["name"]: c for c in yaml.safe_load(THRESHOLDS_YML.read_text(encoding="utf-8"))["checks"]}
    spec = checks[PRE_TREND_CHECK]
    assert spec["table"] == EFFECT and spec["severity"] == "warn" and spec["kind"] == "effect_pre_trend"


def test_event_study_chart_draws_every_event_row(national, warehouse_path):
    rows = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code = '000000' AND aggregation = 'event' "
                                 "ORDER BY outcome, event_time")
    points = [e for e in national.elements if e["attrs"].get("data-kind") == "event-study"]
    assert len(points) == len(rows) > 0
    by_key = {p["attrs"]["data-key"]: p["attrs"] for p in points}
    for r in rows:
        a = by_key[_key(r)]
        assert float(a["data-att"]) == r["att"] and float(a["data-ci-low"]) == r["ci_low"]
        assert float(a["data-ci-high"]) == r["ci_high"] and int(a["data-event-time"]) == r["event_time"]
    for outcome in {r["outcome"] for r in rows}:
        mine = [(r, by_key[_key(r)]) for r in rows if r["outcome"] == outcome]
        assert {r["event_time"] for r, _ in mine} >= {-1, 0}  # placebo pre-periods are drawn
        # one linear scale, upwards: every y (dot and whisker ends) on the line through two dots
        (r0, a0), (r1, a1) = mine[0], mine[-1]
        slope = (float(a1["data-y"]) - float(a0["data-y"])) / (r1["att"] - r0["att"])
        assert slope < 0
        for r, a in mine:
            for value, y in ((r["att"], a["data-y"]), (r["ci_low"], a["data-y-low"]), (r["ci_high"], a["data-y-high"])):
                assert float(y) == pytest.approx(float(a0["data-y"]) + slope * (value - r0["att"]), abs=0.01)
    html_points = [p for p in points if p["attrs"]["data-key"].startswith("scope_code=000000;outcome=rd_expense")]
    classes = {int(p["attrs"]["data-event-time"]): p["attrs"]["class"] for p in html_points}
    assert all(("pre" in c) == (e < 0) for e, c in classes.items())


def test_each_locality_has_its_estimate_or_the_reason(national, warehouse_path):
    rows = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code <> '000000' AND aggregation = 'overall'")
    names = {r["locality_code"]: r["locality_name"] for r in _rows(warehouse_path, "SELECT * FROM marts.dim_locality")}
    table = [e for e in national.elements if e["section"] == "effect" and e["tag"] == "tr" and e["text"]
             and not e["text"].startswith("地区")]
    table = [t for t in table if any(n == t["text"].split()[0] or t["text"].startswith(n) for n in names.values())]
    locality_rows = {n: t["text"] for t in table for n in names.values() if t["text"].startswith(n)}
    assert set(locality_rows) == set(names.values()) and len(names) == 37
    shown = {(f["attrs"]["data-key"], f["attrs"]["data-col"]) for f in national.figures if f["section"] == "effect"}
    for r in rows:
        text = locality_rows[names[r["scope_code"]]]
        if r["status"] == "estimated":
            for col in ("att", "ci_low", "ci_high"):
                assert (_key(r), col) in shown, (r["scope_code"], col)
        else:
            # the reason shows the row's own counts (said once when every outcome has the same ones)
            assert "数据不足" in text, text
            assert r["n_treated"] == 0 or f"{r['n_treated']} 家" in text or f"{r['n_comparison']} 家" in text, text

    # each insufficient locality says why, from its own counts
    from pilotdw.reports import labels
    from pilotdw.reports.effect import insufficient_reason, min_sample

    reasons = set()
    for r in rows:
        if r["status"] != "estimated":
            key, fields = insufficient_reason(r, min_sample())
            reasons.add(key)
            assert labels.text(key, "zh", **fields) in locality_rows[names[r["scope_code"]]], (r["scope_code"], key)
    assert "没有有填报数据的试点企业" in locality_rows[names[NO_BASE]]
    assert len(reasons) >= 2, reasons
    # estimated localities come first
    order = [t["text"] for t in table]
    first_insufficient = next(i for i, t in enumerate(order) if "数据不足" in t)
    assert all("数据不足" in t for t in order[first_insufficient:])
    links = [e["attrs"]["href"] for e in national.elements if e["section"] == "effect" and e["tag"] == "a"]
    estimated = sorted({r["scope_code"] for r in rows if r["status"] == "estimated"})
    assert links[:first_insufficient] == [f"localities/{c}.html" for c in estimated]


@pytest.mark.parametrize("code", ["110000", NO_BASE])
def test_locality_card_shows_its_own_estimates(rendered, warehouse_path, code):
    doc = parse(rendered["dir"] / "localities" / f"{code}.html")
    figures = [f for f in doc.figures if f["attrs"]["data-table"] == EFFECT]
    assert all(f["attrs"]["data-key"].startswith(f"scope_code={code};") for f in figures)
    mine = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code = ? AND aggregation = 'overall'", [code])
    assert len(mine) == len(_rows(warehouse_path, "SELECT outcome FROM seeds.effect_outcomes"))
    section = next(e for e in doc.elements if e["tag"] == "section" and e["attrs"].get("id") == "effect")
    for r in mine:
        if r["status"] == "estimated":
            assert (_key(r), "att") in {(f["attrs"]["data-key"], f["attrs"]["data-col"]) for f in figures}
    insufficient = [r for r in mine if r["status"] != "estimated"]
    if code == NO_BASE:  # no pilot at all, for every outcome: said once, with no count to show
        assert len(insufficient) == 4 and not figures
        assert section["text"].count("数据不足") == section["text"].count("没有有填报数据的试点企业") == 1
        assert "发明专利申请量、高价值发明专利拥有量、研发投入、专利产品销售收入均数据不足" in section["text"]
    else:  # said once when every outcome lacks data for the same reason and counts, else once each
        alike = {(r["n_treated"], r["n_comparison"]) for r in insufficient}
        assert section["text"].count("数据不足") == (1 if len(insufficient) > 1 and len(alike) == 1 else len(insufficient))
    points = [e for e in doc.elements if e["attrs"].get("data-kind") == "event-study"]
    events = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code = ? AND aggregation = 'event'", [code])
    assert len(points) == len(events)


def test_workbook_has_the_pilot_effect_sheet(rendered, warehouse_path):
    ws = load_workbook(rendered["dir"] / "national.xlsx")["试点效果"]
    headers = [c.value for c in ws[1]]
    assert headers[:4] == ["范围代码", "地区", "结果指标", "指标名称"]
    assert {"试点效果估计值", "95%置信区间下限", "95%置信区间上限", "p值", "试点企业数", "可比企业数", "估计状态", "原因"} <= set(headers)
    col = {h: i for i, h in enumerate(headers)}
    mart = {(r["scope_code"], r["outcome"], r["aggregation"], r["event_time"], r["cohort_year"], r["year"]): r
            for r in _rows(warehouse_path, "SELECT * FROM marts.pilot_effect")}
    got = list(ws.iter_rows(min_row=2, values_only=True))
    assert len(got) == len(mart)
    agg = {"总体": "overall", "按相对年度": "event", "按试点批次": "cohort", "批次×年度": "cell"}
    for row in got:
        r = mart[(row[col["范围代码"]], row[col["结果指标"]], agg[row[col["汇总方式"]]], row[col["相对试点年度"]],
                  row[col["首次试点年度"]], row[col["年度"]])]
        assert row[col["试点效果估计值"]] == (None if r["att"] is None else pytest.approx(r["att"], rel=1e-12))
        assert row[col["试点企业数"]] == r["n_treated"]
        assert row[col["估计状态"]] == ("已估计" if r["status"] == "estimated" else "数据不足")
        assert (row[col["原因"]] is None) == (r["status"] == "estimated")
    assert got[0][col["地区"]] == "全国"


def test_english_section(warehouse_path, year, tmp_path):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        write_reports(con, tmp_path, lang="en")
    doc = parse(tmp_path / str(year) / "national.html")
    blocks = {o: " ".join(b["text"].split()) for o, b in _blocks(doc).items()}
    rows = _rows(warehouse_path, "SELECT * FROM marts.pilot_effect WHERE scope_code = '000000' AND aggregation = 'overall'")
    for r in rows:
        word = "more" if r["att"] > 0 else "less"
        assert f"grew on average by {abs(r['att']):,.2f} {word}" in blocks[r["outcome"]].replace(" × CNY 10,000", ""), \
            blocks[r["outcome"]]
        covers = r["ci_low"] <= 0 <= r["ci_high"]
        assert ("not statistically distinguishable from zero" in blocks[r["outcome"]]) == covers
    assert "× CNY 10,000" in blocks["rd_expense"]
    flagged = _flagged(warehouse_path)
    assert flagged and all(("Caution" in text) == (o in flagged) for o, text in blocks.items())
    section = next(e for e in doc.elements if e["tag"] == "section" and e["attrs"].get("id") == "effect")
    assert "Insufficient data" in section["text"] and "fewer than 20" in section["text"]
    assert not re.search(r"[\u4e00-\u9fff]", section["text"]), section["text"][:200]


def test_a_warehouse_without_the_mart_says_so(warehouse_path, year, tmp_path):
    path = shutil.copy(warehouse_path, tmp_path / "none.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute("DROP TABLE marts.pilot_effect")
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    folder = tmp_path / "out" / str(year)
    html = (folder / "national.html").read_text(encoding="utf-8")
    card = (folder / "localities" / "110000.html").read_text(encoding="utf-8")
    assert "尚无试点效果表（marts.pilot_effect）" in html and "尚无试点效果表" in card
    assert "试点效果" not in load_workbook(folder / "national.xlsx").sheetnames


def test_a_negative_estimate_is_worded_as_less(warehouse_path, year, tmp_path):
    """Targeted: the real build's national estimates are all positive, so one outcome's estimate and
    interval are mirrored below zero on a copy; its sentence then says 少 and whether the interval
    still holds 0."""
    path = shutil.copy(warehouse_path, tmp_path / "negative.duckdb")
    with duckdb.connect(str(path)) as con:
        (outcome,) = con.execute("SELECT min(outcome) FROM marts.pilot_effect WHERE scope_code = '000000' "
                                 "AND aggregation = 'overall' AND status = 'estimated'").fetchone()
        con.execute("UPDATE marts.pilot_effect SET att = -att, ci_low = -ci_high, ci_high = -ci_low "
                    "WHERE scope_code = '000000' AND aggregation = 'overall' AND outcome = ?", [outcome])
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    doc = parse(tmp_path / "out" / str(year) / "national.html")
    (r,) = _rows(path, "SELECT * FROM marts.pilot_effect WHERE scope_code = '000000' AND aggregation = 'overall' "
                       "AND outcome = ?", [outcome])
    assert r["att"] < 0
    text = " ".join(_blocks(doc)[outcome]["text"].split())
    assert f"平均少 {abs(r['att']):,.2f}" in text, text
    covers = r["ci_low"] <= 0 <= r["ci_high"]
    assert ("区间包含 0" in text) == covers and ("区间不包含 0" in text) == (not covers), text


def test_an_estimated_locality_comes_first_with_its_figures(warehouse_path, year, tmp_path):
    """Targeted: no locality of the small landing has enough pilots for its own estimate, so a copy
    gives Beijing the national estimates; the national table then lists it first, linked, with its
    figures, and its card shows them."""
    path = shutil.copy(warehouse_path, tmp_path / "estimated.duckdb")
    with duckdb.connect(str(path)) as con:
        con.execute(
            "UPDATE marts.pilot_effect AS l SET att = n.att, se = n.se, ci_low = n.ci_low, ci_high = n.ci_high, "
            "p_value = n.p_value, n_treated = n.n_treated, n_comparison = n.n_comparison, status = n.status "
            "FROM marts.pilot_effect AS n WHERE l.scope_code = '110000' AND l.aggregation = 'overall' "
            "AND n.scope_code = '000000' AND n.aggregation = 'overall' AND n.outcome = l.outcome")
    with duckdb.connect(str(path), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    mine = _rows(path, "SELECT * FROM marts.pilot_effect WHERE scope_code = '110000' AND aggregation = 'overall'")
    assert mine and all(r["status"] == "estimated" for r in mine)
    national = parse(tmp_path / "out" / str(year) / "national.html")
    shown = {(f["attrs"]["data-key"], f["attrs"]["data-col"]) for f in national.figures if f["section"] == "effect"}
    for r in mine:
        for col in ("att", "ci_low", "ci_high"):
            assert (_key(r), col) in shown, (r["outcome"], col)
    links = [e["attrs"]["href"] for e in national.elements if e["section"] == "effect" and e["tag"] == "a"]
    assert links[:1] == ["localities/110000.html"]
    card = parse(tmp_path / "out" / str(year) / "localities" / "110000.html")
    figures = {(f["attrs"]["data-key"], f["attrs"]["data-col"]) for f in card.figures if f["attrs"]["data-table"] == EFFECT}
    assert all((_key(r), "att") in figures for r in mine)
    section = next(e for e in card.elements if e["tag"] == "section" and e["attrs"].get("id") == "effect")
    assert "数据不足" not in section["text"]
