"""Assessments and annual filings of the pilot enterprises: generated and written in chunks of
pilots, so a million enterprises stay within a bounded amount of memory."""
from __future__ import annotations

import csv
from collections import Counter
from typing import Callable

import numpy as np
import pandas as pd

from pilotdw import catalogue
from pilotdw.demo import vocab
from pilotdw.demo.codes import broken_check_digit, day, stream
from pilotdw.demo.pilots import PilotPlan
from pilotdw.demo.shapes import Chunk, Landing, Shape, Sink
from pilotdw.settings import INDICATORS_CSV, indicators, localities

CHUNK = 50_000
ASSESSMENT_CAP = day(2025, 12, 20)  # the data end with 2025
FILING_CAP = day(2026, 6, 30)  # data year 2025 is filed in the first half of 2026
DATA_YEARS = (2022, 2023, 2024, 2025)
BAD_RATE = 0.0025
CORRECTION_RATE = 0.005
OWN_INITIAL = ("330000", "420000")  # these localities send their initial assessments themselves
FILING_XLSX = ("460000", "540000", "630000", "640000", "660000")
FILING_GB = ("370200", "350200")
FILING_TSV = ("210200",)
GRADE_CUTS = np.array([50.0, 65.0, 78.0, 88.0])
MODULES = ("foundation_score", "strategy_score", "process_score", "results_score")
MONEY = ("revenue", "rd_expense", "ip_budget", "ip_transaction_income", "ip_pledge_financing", "patent_product_revenue")


def locality_params(seed: int, codes: list[str]) -> pd.DataFrame:
    """Per locality: how many pilots take the initial assessment, get graded, file; how fast they improve."""
    rng = stream(seed, "activity/params")
    n = len(codes)
    low = np.isin(codes, vocab.LOW_FILING)
    return pd.DataFrame({
        "init_rate": rng.uniform(0.82, 0.97, n),
        "graded_rate": rng.uniform(0.30, 0.55, n),
        "filing_rate": np.where(low, rng.uniform(0.62, 0.77, n), rng.uniform(0.85, 0.97, n)),
        "improve_mu": rng.normal(4.5, 1.5, n).clip(1.0, 8.0),
    }, index=pd.Index(codes, name="locality"))


def _modules(rng: np.random.Generator, total: np.ndarray) -> dict[str, np.ndarray]:
    """Four module scores scattered around the total (their mean stays close to it)."""
    off = rng.normal([4.0, -3.0, -1.0, 0.0], 5.0, (len(total), 4))
    off -= off.mean(axis=1, keepdims=True)
    return {m: np.clip(total + off[:, i], 0, 100).round(1) for i, m in enumerate(MODULES)}


def assessments(rng: np.random.Generator, pilots: pd.DataFrame, params: pd.DataFrame) -> pd.DataFrame:
    """initial (within a year of the list), annual re-assessments a year apart, and graded
    evaluations for some; scores mostly improve, some enterprises decline."""
    n = len(pilots)
    p = params.loc[pilots["locality"].to_numpy()]
    d0 = pilots["first_date"].to_numpy(dtype="datetime64[D]")
    room = (ASSESSMENT_CAP - d0).astype(np.int64)
    offset = np.minimum(rng.integers(20, 240, n), np.maximum(room, 20))
    init = d0 + offset.astype("timedelta64[D]")
    has_init = (rng.random(n) < p["init_rate"].to_numpy()) & (room >= 20)
    s0 = np.clip(rng.normal(58, 11, n), 22, 93)
    decliner = rng.random(n) < 0.18
    mu = p["improve_mu"].to_numpy()
    frames = [("initial", has_init, init, s0, np.full(n, np.nan))]
    ok, score = has_init, s0
    history = [(init, s0, has_init)]
    for k in (1, 2):
        date = init + (365 * k + rng.normal(0, 25, n).round().astype(np.int64)).astype("timedelta64[D]")
        ok = ok & (date <= ASSESSMENT_CAP) & (rng.random(n) < 0.92)
        delta = np.where(decliner, rng.normal(-3, 3, n), rng.normal(mu, 3.5))
        score = np.where(ok, np.clip(score + delta, 5, 99.5), score)
        frames.append(("annual", ok, date, score, np.full(n, np.nan)))
        history.append((date, score, ok))
    # graded evaluations: one for many, a second a year later for some
    g_date = init + rng.integers(120, 420, n).astype("timedelta64[D]")
    g_ok = has_init & (g_date <= ASSESSMENT_CAP) & (rng.random(n) < p["graded_rate"].to_numpy())
    for again in (False, True):
        if again:
            g_date = g_date + rng.integers(330, 400, n).astype("timedelta64[D]")
            g_ok = g_ok & (g_date <= ASSESSMENT_CAP) & (rng.random(n) < 0.5)
        base = s0.copy()
        for date, sc, done in history[1:]:
            base = np.where(done & (date <= g_date), sc, base)
        g_score = np.clip(base + rng.normal(1, 2.5, n), 5, 99.5)
        grade = (np.searchsorted(GRADE_CUTS, g_score, side="right") + 1).astype(float)
        frames.append(("graded", g_ok, g_date, g_score, grade))

    parts = []
    for kind, mask, date, total, grades in frames:
        if not mask.any():
            continue
        total = total[mask].round(1)
        m = _modules(rng, total)
        if kind == "annual":  # about a third of re-assessments report the total only
            blank = rng.random(len(total)) < 0.35
            for col in MODULES:
                m[col] = np.where(blank, np.nan, m[col])
        evaluator = np.asarray(vocab.EVALUATORS, dtype=object)[rng.integers(0, len(vocab.EVALUATORS), len(total))]
        if kind != "graded":
            evaluator = np.where(rng.random(len(total)) < 0.6, evaluator, "")
        d = date[mask]
        parts.append(pd.DataFrame({
            "uscc": pilots["uscc"].to_numpy()[mask], "name": pilots["name"].to_numpy()[mask], "kind": kind,
            "assessed_on": d, "total_score": total, **m, "grade": grades[mask], "evaluator": evaluator,
            "locality": pilots["locality"].to_numpy()[mask],
            "when_year": d.astype("datetime64[Y]").astype(np.int64) + 1970}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def filings(rng: np.random.Generator, pilots: pd.DataFrame, params: pd.DataFrame) -> pd.DataFrame:
    """One row per pilot (or comparison enterprise, first_year 0) and data year 2022–2025 where it
    filed: 13 indicators with realistic magnitudes (万元 or counts) and year-on-year growth.

    The planted truth of marts.pilot_effect (demo/README.md): one process for every enterprise, so
    parallel trends hold; from the pilot year on, with k = years in the programme (1 in the pilot
    year), invention applications × (1 + 0.12 k), revenue growth + 2 points a year (so R&D and
    patent-product revenue follow), high-value share of valid patents + 0.02 k, IP staff hired a
    little more often; indicators derived from these (grants, valid patents, PCT applications, IP
    budget) follow them. Nothing else depends on piloting."""
    n = len(pilots)
    rate = params.loc[pilots["locality"].to_numpy(), "filing_rate"].to_numpy()
    propensity = np.clip(rate + rng.normal(0, 0.08, n), 0.2, 1.0)
    d0 = pilots["first_date"].to_numpy(dtype="datetime64[D]")
    fy = pilots["first_year"].to_numpy()
    revenue = np.clip(rng.lognormal(np.log(22_000), 1.0, n), 800, 5e6)
    rd_ratio = rng.uniform(0.03, 0.11, n)
    patent_factor = rng.lognormal(0, 0.5, n)
    grant_rate = rng.uniform(0.35, 0.6, n)
    valid = rng.poisson(patent_factor * revenue / 700) + rng.poisson(3, n)
    hv_share = rng.uniform(0.3, 0.55, n)
    exporter = rng.random(n) < 0.35
    tm_rate = rng.lognormal(1.2, 0.8, n)
    trade_on = rng.random(n) < 0.25
    trade_base = rng.lognormal(np.log(120), 1.1, n)
    pledge_on = rng.random(n) < 0.15
    pledge_base = rng.lognormal(np.log(1800), 0.9, n)
    product_share = rng.uniform(0.3, 0.8, n)
    budget_ratio = rng.uniform(0.02, 0.05, n)
    staff = np.maximum(1, np.round(1 + revenue * rd_ratio / 1500 + rng.normal(0, 1, n)))
    parts = []
    for y in DATA_YEARS:
        piloted = np.where(fy > 0, np.clip(y - fy + 1, 0, None), 0)  # years in the programme so far (0: never)
        if y > DATA_YEARS[0]:
            revenue = revenue * (1 + np.clip(rng.normal(0.07 + 0.02 * (piloted > 0), 0.15, n), -0.4, 1.0))
        rd = revenue * (rd_ratio + 0.003 * (y - 2022))
        apps = rng.poisson(patent_factor * rd / 110 * (1 + 0.12 * piloted))
        grants = rng.binomial(apps, grant_rate)
        if y > DATA_YEARS[0]:
            valid = valid + grants - rng.binomial(valid, 0.04)
            staff = staff + (rng.random(n) < 0.15 + 0.1 * (piloted > 0))
        hv = np.round(valid * np.clip(hv_share + 0.03 * (y - 2022) + 0.02 * piloted, 0, 0.9))
        values = {
            "revenue": revenue.round(2), "rd_expense": rd.round(2),
            "invention_applications": apps.astype(float), "invention_grants": grants.astype(float),
            "valid_invention_patents": valid.astype(float), "high_value_invention_patents": hv,
            "pct_applications": np.where(exporter, rng.poisson(apps * 0.1), 0).astype(float),
            "trademark_registrations": rng.poisson(tm_rate).astype(float),
            "ip_staff": staff.astype(float),
            "ip_budget": (rd * budget_ratio).round(2),
            "ip_transaction_income": np.where(trade_on, trade_base * rng.lognormal(0.05, 0.3, n), 0).round(2),
            "ip_pledge_financing": np.where(pledge_on & (rng.random(n) < 0.7), pledge_base * rng.lognormal(0, 0.4, n),
                                            0).round(2),
            "patent_product_revenue": (revenue * np.clip(product_share + 0.02 * (y - 2022), 0, 0.95)).round(2),
        }
        spike = rng.random(n) < 0.002  # a licence deal: tenfold and more in one year
        values["ip_transaction_income"] = np.where(spike & trade_on, values["ip_transaction_income"] * 15,
                                                   values["ip_transaction_income"]).round(2)
        for col in ("pct_applications", "trademark_registrations", "ip_transaction_income", "ip_pledge_financing",
                    "patent_product_revenue"):
            values[col] = np.where(rng.random(n) < 0.03, np.nan, values[col])
        filed = rng.random(n) < propensity
        due = day(y + 1, 1, 10) + rng.integers(0, 110, n).astype("timedelta64[D]")
        due = np.where(rng.random(n) < 0.1, due + rng.integers(0, 60, n).astype("timedelta64[D]"), due)
        catch_up = d0 + rng.integers(10, 90, n).astype("timedelta64[D]")
        submitted = np.minimum(np.maximum(due, np.where(d0 > due, catch_up, due)), FILING_CAP)
        parts.append(pd.DataFrame({
            "uscc": pilots["uscc"].to_numpy()[filed], "name": pilots["name"].to_numpy()[filed], "year": y,
            "submitted_on": submitted[filed], **{k: v[filed] for k, v in values.items()},
            "rd_intensity": (rd / revenue)[filed].round(4), "locality": pilots["locality"].to_numpy()[filed]}))
    return pd.concat(parts, ignore_index=True)


COMPARISON_FILING_RATE = 0.8  # eligible enterprises never piloted that file anyway (the comparison group)


def comparison_enterprises(seed: int, eligible_any: np.ndarray, ents: pd.DataFrame, piloted: np.ndarray) -> pd.DataFrame:
    """Eligible register enterprises never piloted of which about half file annual data too: with
    the not-yet-piloted cohorts they are the comparison group of marts.pilot_effect (the only one
    for data year 2025, when every listed enterprise is piloted). Same columns as PilotPlan.pilots,
    first_year 0 = never piloted."""
    rng = stream(seed, "activity/comparison")
    # pandas' isin hashes; numpy's isin on object (string) arrays compares every pair: hours at 40×
    never_piloted = ~ents["uscc"].isin(piloted).to_numpy()
    pick = eligible_any & never_piloted & (rng.random(len(ents)) < COMPARISON_FILING_RATE)
    return pd.DataFrame({
        "uscc": ents["uscc"].to_numpy()[pick], "name": ents["name"].to_numpy()[pick],
        "locality": ents["locality"].to_numpy()[pick],
        "first_year": np.zeros(int(pick.sum()), dtype=np.int64),
        "first_date": np.full(int(pick.sum()), day(2022, 1, 1), dtype="datetime64[D]"),
    })


def corrections(rng: np.random.Generator, filed: pd.DataFrame) -> pd.DataFrame:
    """A second filing for a few (uscc, year), sent later with revised figures."""
    pick = np.flatnonzero(rng.random(len(filed)) < CORRECTION_RATE)
    out = filed.iloc[pick].copy()
    later = out["submitted_on"].to_numpy(dtype="datetime64[D]") + rng.integers(15, 90, len(out)).astype("timedelta64[D]")
    out["submitted_on"] = np.minimum(later, FILING_CAP + np.timedelta64(20, "D"))
    for col in ("revenue", "rd_expense", "patent_product_revenue"):
        out[col] = (out[col] * rng.uniform(0.9, 1.1, len(out))).round(2)
    out["high_value_invention_patents"] = out["high_value_invention_patents"] + rng.integers(0, 3, len(out))
    return out


def _bad(rng: np.random.Generator, frame: pd.DataFrame, kinds: tuple[str, ...], first: bool,
         counts: Counter) -> tuple[np.ndarray, dict[str, dict[int, str]]]:
    """Turn a few rows bad (well below 2 %): the ways real files go wrong."""
    n = len(frame)
    k = int(round(n * BAD_RATE))
    if first:
        k = max(k, min(3, n // 150))
    bad = np.zeros(n, bool)
    overrides: dict[str, dict[int, str]] = {}
    for j, pos in enumerate(sorted(rng.choice(n, min(k, n), replace=False).tolist())):
        kind = kinds[j % len(kinds)]
        bad[pos] = True
        counts[kind] += 1
        if kind == "bad_uscc":
            frame.iat[pos, frame.columns.get_loc("uscc")] = broken_check_digit(np.array([frame["uscc"].iat[pos]]), rng)[0]
        elif kind == "score_out_of_range":
            frame.iat[pos, frame.columns.get_loc("total_score")] = float(rng.choice([105.0, 101.5, 112.0]))
        elif kind == "bad_date":
            d = pd.Timestamp(frame["assessed_on"].iat[pos])
            overrides.setdefault("assessed_on", {})[pos] = (f"{d.year}-02-30" if j % 2 else f"{d.year}年13月{d.day}日")
        elif kind == "negative_indicator":
            col = "revenue" if j % 2 else "ip_budget"
            frame.iat[pos, frame.columns.get_loc(col)] = -abs(float(frame[col].iat[pos]) or 12.5)
        elif kind == "bad_year":
            digits = "〇一二三四五六七八九"
            overrides.setdefault("year", {})[pos] = "".join(digits[int(c)] for c in str(frame["year"].iat[pos]))
    return bad, overrides


# ---------------------------------------------------------------- shapes and routing

_IND = indicators()
# how assessment files spell kinds and grades: the catalogue's labels (and ordinals, digits for grades)
_KIND_ZH = {t.code: t.label_zh for t in catalogue.vocabulary("assessment_kind")}
_ORDINAL = {1: "一级", 2: "二级", 3: "三级", 4: "四级", 5: "五级"}
_GRADE_TEXT = {int(t.code): (_ORDINAL[int(t.code)], t.label_zh, t.code) for t in catalogue.vocabulary("grade")}
# the filing template's headers: the indicators seed's names and units (件 is the template's default,
# so only other units are written); one province spells PCT in full-width letters (NFKC folds them)
with INDICATORS_CSV.open(encoding="utf-8") as _fh:
    _SEED = {r["indicator"]: r for r in csv.DictReader(_fh)}
_UNIT = {k: r["unit"] for k, r in _SEED.items() if r["unit"] != "件"}
_ZH = {k: r["name_zh"] for k, r in _SEED.items()} | {"pct_applications": "ＰＣＴ国际专利申请量"}
_ZH_ALT = {"revenue": "营业收入", "rd_expense": "研发费用", "invention_applications": "发明专利申请量",
           "invention_grants": "发明专利授权量", "valid_invention_patents": "有效发明专利数",
           "high_value_invention_patents": "高价值发明专利数", "pct_applications": "PCT申请量",
           "trademark_registrations": "商标注册量", "ip_staff": "知识产权工作人员", "ip_budget": "知识产权经费",
           "ip_transaction_income": "知识产权转让许可收入", "ip_pledge_financing": "知识产权质押融资额",
           "patent_product_revenue": "专利密集型产品收入"}
_MODULES_ZH = (("foundation_score", "基础管理"), ("strategy_score", "战略管理"), ("process_score", "创新过程管理"),
               ("results_score", "成效"))


def assessment_shapes() -> dict[str, Shape]:
    return {
        "initial": Shape("csv", (("uscc", "uscc"), ("kind", "kind"), ("assessed_on", "assessed_on"),
                                 ("total_score", "total_score"), *((m, m) for m in MODULES), ("evaluator", "evaluator"))),
        "initial_own": Shape("csv", (("uscc", "统一社会信用代码"), ("name", "企业名称"), ("kind", "测评类型"),
                                     ("assessed_on", "测评日期"), ("total_score", "总分"), *_MODULES_ZH,
                                     ("evaluator", "测评机构")),
                             encoding="utf-8-sig", dates="dot", numbers="fullwidth",
                             values={"kind": {"initial": (_KIND_ZH["initial"],)}}),
        "annual_2024": Shape("csv", (("uscc", "统一社会信用代码"), ("kind", "测评类型"), ("assessed_on", "测评日期"),
                                     ("total_score", "综合得分"), *_MODULES_ZH, ("evaluator", "测评机构")),
                             encoding="gb18030", dates="cjk", values={"kind": {"annual": (_KIND_ZH["annual"],)}}),
        "annual_2025": Shape("tsv", (("uscc", "ＵＳＣＣ"), ("kind", "Kind"), ("assessed_on", "Assessed_On"),
                                     ("total_score", "Total_Score"), ("foundation_score", "Foundation_Score"),
                                     ("strategy_score", "Strategy_Score"), ("process_score", "Process_Score"),
                                     ("results_score", "Results_Score"), ("evaluator", "Evaluator")),
                             dates="slash", values={"kind": {"annual": ("annual", _KIND_ZH["annual"])}}),
        "graded": Shape("xlsx", (("name", "企业名称"), ("uscc", "统一社会信用代码"), ("kind", "评价类型"),
                                 ("assessed_on", "评价日期"), ("total_score", "综合得分"), *_MODULES_ZH,
                                 ("grade", "评价等级"), ("evaluator", "评价机构")),
                        dates="excel", values={"kind": {"graded": (_KIND_ZH["graded"],)}, "grade": _GRADE_TEXT},
                        title="创新管理知识产权能力分级评价结果汇总（2024—2025年）", sheet="评价结果",
                        notes=("等级说明", ("一级：初始级", "二级：过程级", "三级：项目级", "四级：系统级", "五级：生态级"))),
    }


def filing_shapes() -> dict[str, Shape]:
    unit = lambda c, left, right: f"{left}{_UNIT[c]}{right}" if c in _UNIT else ""  # noqa: E731
    return {
        "default": Shape("csv", (("uscc", "uscc"), ("year", "year"), ("submitted_on", "submitted_on"),
                                 *((c, c) for c in _IND))),
        "xlsx": Shape("xlsx", (("uscc", "统一社会信用代码"), ("name", "企业名称"), ("year", "数据年度"),
                               ("submitted_on", "填报日期"),
                               *((c, _ZH[c] + (unit(c, "（", "）") or "（件）")) for c in _IND)),
                      dates="excel", years="cjk", missing=("无", ""),
                      title="创新管理知识产权国际标准实施试点企业年度数据填报表",
                      notes=("填表说明", ("1. 金额单位：万元。", "2. 未发生的填0，未统计的填“无”。"))),
        "gb": Shape("csv", (("uscc", "统一社会信用代码"), ("name", "企业名称"), ("year", "填报年度"),
                            ("submitted_on", "填报日期"), *((c, _ZH_ALT[c] + unit(c, "(", ")")) for c in _IND),
                            ("rd_intensity", "研发投入强度")),
                    encoding="gb18030", dates="slash", years="mixed", numbers="thousands",
                    missing=("-", "N/A", "", "—")),
        "tsv": Shape("tsv", (("uscc", "USCC"), ("year", "Year"), ("submitted_on", "Submitted_On"),
                             *((c, c.title() + unit(c, " (", ")")) for c in _IND)),
                     dates="dot", numbers="fullwidth", missing=("无", "/")),
        "corrections": Shape("csv", (("uscc", "统一社会信用代码"), ("year", "数据年度"), ("submitted_on", "填报日期"),
                                     *((c, _ZH[c]) for c in _IND)),
                             encoding="utf-8-sig", dates="cjk", years="cjk"),
    }


class _Router:
    """Opens sinks on first use, in a fixed order of keys, so files are deterministic."""

    def __init__(self, landing: Landing, source: str):
        self.landing, self.source = landing, source
        self.sinks: dict[str, Sink] = {}

    def add(self, key: str, name: str, shape: Shape, when: np.datetime64, chunk: Chunk) -> None:
        if key not in self.sinks:
            self.sinks[key] = self.landing.sink(self.source, name, shape, when)
        self.sinks[key].add(chunk)

    def close(self) -> None:
        for sink in self.sinks.values():
            sink.close()


def _split(frame: pd.DataFrame, bad: np.ndarray, overrides: dict, mask: np.ndarray, sheet: str | None = None) -> Chunk:
    pos = np.flatnonzero(mask)
    new_index = {int(p): i for i, p in enumerate(pos)}
    ovr = {col: {new_index[p]: t for p, t in cells.items() if p in new_index} for col, cells in overrides.items()}
    return Chunk(frame.iloc[pos].reset_index(drop=True), bad[pos], {c: v for c, v in ovr.items() if v}, sheet)


def write(seed: int, plan: PilotPlan, landing: Landing, codes: list[str],
          progress: Callable[[str], None] | None = None, comparison: pd.DataFrame | None = None) -> dict[str, Counter]:
    names = {loc.code: loc.name for loc in localities()}
    params = locality_params(seed, codes)
    a_shapes, f_shapes = assessment_shapes(), filing_shapes()
    assess, filing = _Router(landing, "assessments"), _Router(landing, "filings")
    kinds = {"assessments": Counter(), "filings": Counter()}
    a_when, f_when, c_when = day(2026, 1, 20), day(2026, 6, 30), day(2026, 7, 15)
    pilots = plan.pilots
    for start in range(0, len(pilots), CHUNK):
        chunk = pilots.iloc[start:start + CHUNK].reset_index(drop=True)
        rng = stream(seed, f"activity/chunk/{start}")
        first = start == 0

        a = assessments(rng, chunk, params)
        if len(a):
            bad, ovr = _bad(rng, a, ("score_out_of_range", "bad_date", "bad_uscc"), first, kinds["assessments"])
            kind, loc, year = a["kind"].to_numpy(), a["locality"].to_numpy(), a["when_year"].to_numpy()
            for code in OWN_INITIAL:
                m = (kind == "initial") & (loc == code)
                if m.any():
                    assess.add(f"initial/{code}", f"{code}_{names[code]}初始测评结果.csv", a_shapes["initial_own"],
                               a_when, _split(a, bad, ovr, m))
            m = (kind == "initial") & ~np.isin(loc, OWN_INITIAL)
            if m.any():
                assess.add("initial", "initial_assessments_2023-2025.csv", a_shapes["initial"], a_when,
                           _split(a, bad, ovr, m))
            for key, name, m in (("annual_2024", "年度测评结果_2024.csv", (kind == "annual") & (year <= 2024)),
                                 ("annual_2025", "annual_reassessments_2025.tsv", (kind == "annual") & (year >= 2025)),
                                 ("graded", "分级评价结果汇总_2024-2025.xlsx", kind == "graded")):
                if m.any():
                    assess.add(key, name, a_shapes[key], a_when, _split(a, bad, ovr, m))

        f = filings(rng, chunk, params)
        fixes = corrections(rng, f)
        bad, ovr = _bad(rng, f, ("negative_indicator", "bad_uscc", "bad_year"), first, kinds["filings"])
        loc, year = f["locality"].to_numpy(), f["year"].to_numpy()
        own = np.zeros(len(f), bool)
        for code in FILING_XLSX:
            for y in DATA_YEARS:
                m = (loc == code) & (year == y)
                if m.any():
                    filing.add(f"xlsx/{code}", f"{code}_{names[code]}年度数据填报_2022-2025.xlsx", f_shapes["xlsx"],
                               f_when, _split(f, bad, ovr, m, sheet=f"{y}年度"))
                    own |= m
        for group, key, name in ((FILING_GB, "gb", "{code}_{name}年度数据汇总.csv"),
                                 (FILING_TSV, "tsv", "{code}_annual_data.tsv")):
            for code in group:
                m = loc == code
                if m.any():
                    filing.add(f"{key}/{code}", name.format(code=code, name=names[code]), f_shapes[key], f_when,
                               _split(f, bad, ovr, m))
                    own |= m
        for y in DATA_YEARS:
            m = (year == y) & ~own
            if m.any():
                filing.add(f"default/{y}", f"annual_data_{y}.csv", f_shapes["default"], f_when, _split(f, bad, ovr, m))
        if len(fixes):
            filing.add("corrections", "年度数据更正_corrections.csv", f_shapes["corrections"], c_when,
                       Chunk(fixes.reset_index(drop=True), np.zeros(len(fixes), bool)))
        kinds["filings"]["corrections"] += len(fixes)
        if progress:
            progress(f"assessments and filings: {min(start + CHUNK, len(pilots))}/{len(pilots)} pilots")
    # The comparison enterprises file into the same default yearly files, after the pilots (so the
    # pilots' rows and random draws are those of a landing without them), with no bad rows.
    comparison = comparison if comparison is not None else pilots.iloc[0:0]
    for start in range(0, len(comparison), CHUNK):
        chunk = comparison.iloc[start:start + CHUNK].reset_index(drop=True)
        f = filings(stream(seed, f"activity/comparison/{start}"), chunk, params)
        year = f["year"].to_numpy()
        for y in DATA_YEARS:
            m = year == y
            if m.any():
                filing.add(f"default/{y}", f"annual_data_{y}.csv", f_shapes["default"], f_when,
                           Chunk(f[m].reset_index(drop=True), np.zeros(int(m.sum()), bool)))
        kinds["filings"]["comparison_rows"] += len(f)
    assess.close()
    filing.close()
    return kinds
