"""Pilot batch lists: who each locality names in 2023–2025, with the storylines of the demo
(ahead / on target / slipping / behind / no 2025 list / late) and the mess of real lists
(non-eligible units, names-only lists, bracket widths and stray spaces, ambiguous names, repeats,
cross-locality rows, a resubmitted list, a consolidated national workbook)."""
from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from pilotdw.demo import vocab
from pilotdw.demo.codes import broken_check_digit, day, random_days, stream
from pilotdw.demo.population import YEARS, Population
from pilotdw.demo.shapes import Chunk, Landing, Shape
from pilotdw.settings import localities

DEADLINE = {2023: day(2023, 6, 30), 2024: day(2024, 3, 31), 2025: day(2025, 3, 31)}
REAL_LIST_DAY = day(2023, 6, 20)  # the real Shanghai list carries no date: its file 'arrived' then
CN_NUMBER = {1: "一", 2: "二", 3: "三"}
NAMES_ONLY = ("tsv_names", "tsv_names_nodate")
BAD_RATE = 0.0025


@dataclass
class PilotList:
    code: str
    year: int
    batch: int
    members: np.ndarray  # eligible enterprises newly piloted by this list
    submitted_on: np.datetime64 | None
    rows: pd.DataFrame | None = None
    shape_key: str = "csv_en"
    file_name: str = ""
    superseded: bool = False
    resubmission: bool = False
    consolidated: bool = False
    bad: np.ndarray | None = None
    overrides: dict = field(default_factory=dict)
    when: np.datetime64 | None = None

    @property
    def late(self) -> bool:
        return self.submitted_on is not None and self.submitted_on > DEADLINE[self.year]

    @property
    def names_only(self) -> bool:
        return self.shape_key in NAMES_ONLY


@dataclass
class PilotPlan:
    lists: list[PilotList]
    pilots: pd.DataFrame  # enterprises the programme knows by USCC: uscc, name, locality, first_year, first_date
    notes: dict


def _locality_names() -> dict[str, str]:
    return {loc.code: loc.name for loc in localities()}


def _list_date(rng: np.random.Generator, year: int, late: bool) -> np.datetime64:
    if year == 2023:
        lo, hi = (day(2023, 7, 6), day(2023, 9, 28)) if late else (day(2023, 5, 8), day(2023, 6, 28))
    else:
        lo, hi = (day(year, 4, 8), day(year, 6, 26)) if late else (day(year, 1, 12), day(year, 3, 28))
    return random_days(rng, lo, hi, 1)[0]


def categories(pop: Population, rng: np.random.Generator) -> np.ndarray:
    """The category text each register enterprise shows on a list: its qualifications, several
    joined by 、 or ；."""
    q = pop.quals
    ents = q["ent"].to_numpy()
    labels = np.empty(len(q), dtype=object)
    for qual, alts in vocab.QUALIFICATION_LABELS.items():
        hit = (q["qualification"] == qual).to_numpy()
        labels[hit] = np.asarray(alts, dtype=object)[rng.integers(0, len(alts), int(hit.sum()))]
    _, first = np.unique(ents, return_index=True)
    out = np.full(len(pop.ents), "", dtype=object)
    out[ents[first]] = labels[first]
    second = np.ones(len(q), bool)
    second[first] = False
    seps = np.asarray(["、", "；", "、", ";"], dtype=object)[rng.integers(0, 4, int(second.sum()))]
    out[ents[second]] = out[ents[second]] + seps + labels[second]
    return out


def _select(seed: int, pop: Population, codes: list[str]) -> tuple[list[PilotList], np.ndarray]:
    """Which eligible enterprises each locality lists each year, following its storyline."""
    ents = pop.ents
    loc = ents["locality"].to_numpy()
    own_year = np.zeros(len(ents), np.int64)  # year an enterprise is first listed by its own locality
    lists: list[PilotList] = []
    for code in codes:
        rng = stream(seed, f"pilots/select/{code}")
        story = vocab.STORY_TARGETS[vocab.storyline(code)]
        idx = np.flatnonzero(loc == code)
        covered = np.zeros(len(idx), bool)
        has_real = code == "310000" and bool(ents["is_real"].to_numpy()[idx].any())
        if has_real:
            covered |= ents["is_real"].to_numpy()[idx]
            own_year[idx[covered]] = 2023
        for year, target_range in zip(YEARS, story):
            if target_range is None:
                continue
            target = rng.uniform(*target_range)
            elig = pop.eligible[year][idx]
            want = int(round(target * elig.sum())) - int((covered & elig).sum())
            pool = np.flatnonzero(elig & ~covered)
            k = int(np.clip(want, 0, len(pool)))
            real_first = has_real and year == 2023
            if real_first and k < 3:
                k = 0
            if not real_first:
                k = max(k, min(1, len(pool)))
                if k == 0:  # nobody left to pilot: no list this year
                    continue
            picked = rng.permutation(pool)[:k]
            covered[picked] = True
            members = idx[picked]
            own_year[members] = year
            d1 = _list_date(rng, year, (code, year) in vocab.LATE_LISTS)
            if real_first:  # the real list is batch 1: a top-up second batch only when needed
                batches = [(2, members, d1)] if k else []
            elif (code, year) in vocab.TWO_BATCHES and k >= 6:
                split = int(round(k * rng.uniform(0.55, 0.75)))
                d2 = d1 + np.timedelta64(int(rng.integers(45, 140)), "D")
                batches = [(1, members[:split], d1), (2, members[split:], d2)]
            else:
                batches = [(1, members, d1)]
            for batch, mem, when in batches:
                lists.append(PilotList(code, year, batch, mem, when, consolidated=code in vocab.CONSOLIDATED))
    return lists, own_year


def _ent_rows(pop: Population, cats: np.ndarray, members: np.ndarray, kind: str) -> pd.DataFrame:
    col = lambda name: pop.column("ents", name)[members]  # noqa: E731
    return pd.DataFrame({"name": col("name"), "uscc": col("uscc"), "category": cats[members],
                         "district": col("district"), "ent": members, "other": -1, "kind": kind})


def _other_rows(pop: Population, picks: np.ndarray) -> pd.DataFrame:
    col = lambda name: pop.column("others", name)[picks]  # noqa: E731
    return pd.DataFrame({"name": col("name"), "uscc": col("uscc"), "category": col("category"),
                         "district": col("district"), "ent": -1, "other": picks, "kind": col("kind")})


def _compose(seed: int, pop: Population, lists: list[PilotList], own_year: np.ndarray, codes: list[str],
             cats: np.ndarray) -> None:
    """The rows of each list: its new eligible pilots plus repeats, cross-locality enterprises and
    units no national register holds; shuffled, numbered."""
    loc = pop.column("ents", "locality")
    other_loc = pop.column("others", "locality")
    first_list_year = {}
    for pl in lists:
        first_list_year[pl.code] = min(first_list_year.get(pl.code, 9999), pl.year)
    if "310000" in codes and len(pop.real_rows):
        first_list_year["310000"] = 2023
    for pl in lists:
        rng = stream(seed, f"pilots/rows/{pl.code}/{pl.year}/{pl.batch}")
        parts = [_ent_rows(pop, cats, pl.members, "eligible")]
        if pl.batch == 1 and pl.year > first_list_year[pl.code]:
            earlier = np.flatnonzero((loc == pl.code) & (own_year > 0) & (own_year < pl.year))
            m = int(rng.binomial(len(pl.members), 0.015)) + int(len(pl.members) >= 20 and rng.random() < 0.5)
            if m and len(earlier):
                parts.append(_ent_rows(pop, cats, rng.choice(earlier, min(m, len(earlier)), replace=False), "repeat"))
        if pl.batch == 1 and pl.year == 2024:
            for city, province in vocab.PROVINCE_OF_CITY.items():
                if province != pl.code or city not in codes:
                    continue
                cands = np.flatnonzero((loc == city) & pop.eligible[2024] & ((own_year == 0) | (own_year > 2024)))
                if len(cands):
                    picks = rng.choice(cands, min(int(rng.integers(1, 3)), len(cands)), replace=False)
                    parts.append(_ent_rows(pop, cats, picks, "cross"))
        m = int(rng.binomial(len(pl.members) + 4, 0.045))
        if len(pl.members) >= 12:
            m = max(m, 1)
        pool = np.flatnonzero(other_loc == pl.code)
        if m and len(pool):
            parts.append(_other_rows(pop, rng.choice(pool, min(m, len(pool)), replace=False)))
        rows = pd.concat(parts, ignore_index=True)
        rows = rows.iloc[rng.permutation(len(rows))].reset_index(drop=True)
        pl.rows = rows


def _assign_shapes(seed: int, lists: list[PilotList]) -> None:
    rng = stream(seed, "pilots/shapes")
    keys = np.array(["csv_en", "xlsx", "csv_gb", "csv_bom", "tsv_names"])
    own = [pl for pl in lists if not pl.consolidated]
    for pl, key in zip(own, rng.choice(keys, len(own), p=[0.30, 0.20, 0.20, 0.15, 0.15])):
        pl.shape_key = str(key)
    # one list gives locality/year/batch as columns instead of in its file name
    second = [pl for pl in own if pl.batch == 2]
    chosen = next((pl for pl in second if (pl.code, pl.year) == ("440300", 2024)), second[0] if second else None)
    if chosen is not None:
        chosen.shape_key = "columns_csv"
    # names-only lists in at least three localities (the ambiguous names need a third locality)
    named = {pl.code for pl in own if pl.names_only}
    for pl in sorted(own, key=lambda p: (-p.year, p.code)):
        if len(named) >= 3:
            break
        if pl.code not in named and pl.shape_key != "columns_csv":
            pl.shape_key = "tsv_names"
            named.add(pl.code)


def _plant_ambiguous(seed: int, pop: Population, lists: list[PilotList], own_year: np.ndarray,
                     cats: np.ndarray) -> list[str]:
    """Each shared name goes on a names-only list of a third locality (ambiguous); where the first
    holder's own names-only list exists, also there (resolved: same locality first)."""
    rng = stream(seed, "pilots/ambiguous")
    loc = pop.ents["locality"].to_numpy()
    named_lists = [pl for pl in lists if pl.names_only and not pl.consolidated]
    planted = []
    for ea, eb in pop.dup_names:
        third = [pl for pl in named_lists if pl.code not in (loc[ea], loc[eb])]
        if not third:
            continue
        pl = third[int(rng.integers(0, len(third)))]
        row = _ent_rows(pop, cats, np.array([ea]), "ambiguous")
        row["uscc"], row["ent"], row["district"] = "", -1, ""
        pl.rows = _insert(rng, pl.rows, row)
        planted.append(str(pop.ents.at[ea, "name"]))
        home = [p for p in named_lists if p.code == loc[ea]]
        if home and own_year[ea] == 0:
            p = home[0]
            p.rows = _insert(rng, p.rows, _ent_rows(pop, cats, np.array([ea]), "eligible"))
            own_year[ea] = p.year
    return planted


def _insert(rng: np.random.Generator, rows: pd.DataFrame, extra: pd.DataFrame) -> pd.DataFrame:
    at = int(rng.integers(0, len(rows) + 1))
    return pd.concat([rows.iloc[:at], extra, rows.iloc[at:]], ignore_index=True)


def _blur_names(seed: int, lists: list[PilotList]) -> None:
    """Names as people type them: in names-only lists half-width brackets and stray spaces; in
    lists with codes a blank code now and then (matched by name later)."""
    for pl in lists:
        rng = stream(seed, f"pilots/blur/{pl.code}/{pl.year}/{pl.batch}")
        names = pl.rows["name"].astype("str")
        n = len(names)
        if pl.names_only:
            swap = (rng.random(n) < 0.4) & names.str.contains("（", regex=False).to_numpy()
            names = names.where(~swap, names.str.replace("（", "(", regex=False).str.replace("）", ")", regex=False))
            space = rng.random(n) < 0.12
            style = rng.integers(0, 3, n)
            spaced = np.where(style == 0, names.str.slice(0, 2) + " " + names.str.slice(2),
                              np.where(style == 1, names + " ", "\u3000" + names))
            names = names.where(~space, pd.Series(spaced, dtype="str"))
            pl.rows["uscc"] = ""
        else:
            blank = (rng.random(n) < 0.01) & (pl.rows["kind"] == "eligible").to_numpy()
            pl.rows.loc[blank, "uscc"] = ""
            no_code = pl.rows["kind"].isin(["hospital", "institute", "university"]).to_numpy() & (rng.random(n) < 0.4)
            pl.rows.loc[no_code, "uscc"] = ""
        pl.rows["name"] = names


def _resubmissions(seed: int, pop: Population, lists: list[PilotList], own_year: np.ndarray,
                   cats: np.ndarray) -> list[dict]:
    """(a) a list with dates and codes sent again 8–25 days later with a few rows changed; (b) a
    names-only list without dates sent again a week later (only the files' order tells)."""
    rng = stream(seed, "pilots/resubmit")
    loc = pop.ents["locality"].to_numpy()
    notes = []
    dated = [pl for pl in lists if not pl.consolidated and pl.shape_key in ("csv_en", "csv_gb", "csv_bom", "xlsx")
             and pl.year == 2024 and pl.batch == 1 and (pl.rows["kind"] == "eligible").sum() >= 8]
    dated.sort(key=lambda p: (vocab.storyline(p.code) != "on_target", p.code))
    if dated:
        final = dated[0]
        rows = final.rows.copy()
        elig_pos = np.flatnonzero((rows["kind"] == "eligible").to_numpy())
        dropped = rng.choice(elig_pos, 2, replace=False)
        withdrawn = np.flatnonzero((loc == final.code) & (own_year == 0) & pop.eligible[2024])
        extra = _ent_rows(pop, cats, rng.choice(withdrawn, min(2, len(withdrawn)), replace=False), "withdrawn")
        rows = pd.concat([rows.drop(index=dropped), extra], ignore_index=True)
        typo = int(rng.integers(0, len(rows)))
        rows.loc[typo, "name"] = str(rows.at[typo, "name"]).replace("有限公司", "有线公司")
        earlier = final.submitted_on - np.timedelta64(int(rng.integers(8, 26)), "D")
        first = PilotList(final.code, final.year, final.batch, np.empty(0, np.int64), earlier, rows=rows,
                          shape_key=final.shape_key, superseded=True)
        final.resubmission = True
        lists.insert(lists.index(final), first)
        notes.append({"locality_code": final.code, "year": final.year, "batch": final.batch,
                      "ordered_by": "submitted_on"})
    named = [pl for pl in lists if pl.shape_key == "tsv_names" and pl.year >= 2024 and not pl.superseded
             and len(pl.rows) >= 3]
    if named:
        final = named[0]
        final.shape_key = "tsv_names_nodate"
        rows = final.rows.copy()
        i = int(rng.integers(0, len(rows)))
        rows.loc[i, "name"] = str(rows.at[i, "name"]).replace("有限公司", "公司")
        first = PilotList(final.code, final.year, final.batch, np.empty(0, np.int64), None, rows=rows,
                          shape_key="tsv_names_nodate", superseded=True, when=final.submitted_on)
        final.when = final.submitted_on + np.timedelta64(7, "D")
        final.submitted_on = None
        final.resubmission = True
        lists.insert(lists.index(final), first)
        notes.append({"locality_code": final.code, "year": final.year, "batch": final.batch,
                      "ordered_by": "file modification time"})
    return notes


def _bad_rows(seed: int, lists: list[PilotList]) -> None:
    """A few rows with a mistyped code (bad check digit) on units outside the register, and one
    row of the consolidated workbook with a locality that does not exist."""
    rng = stream(seed, "pilots/bad")
    current = [pl for pl in lists if not pl.superseded]
    total = sum(len(pl.rows) for pl in lists) + len(lists)
    want = max(1, int(round(total * BAD_RATE)))
    cands = [(li, int(pos)) for li, pl in enumerate(current) if not pl.names_only and not pl.consolidated
             for pos in np.flatnonzero((pl.rows["uscc"] != "").to_numpy() & (pl.rows["ent"] < 0).to_numpy())]
    for pl in current:
        pl.bad = np.zeros(len(pl.rows), bool)
    consolidated = [pl for pl in current if pl.consolidated]
    if consolidated:
        pl = consolidated[int(rng.integers(0, len(consolidated)))]
        extra = pl.rows.iloc[[int(rng.integers(0, len(pl.rows)))]].copy()
        extra["kind"] = "bad_locality"
        pl.rows = pd.concat([pl.rows, extra], ignore_index=True)
        pl.bad = np.append(pl.bad, True)
        pl.overrides = {"locality_code": {len(pl.rows) - 1: "990000"}}
        want -= 1
    if want <= 0 or not cands:
        return
    for k in rng.choice(len(cands), min(want, len(cands)), replace=False):
        li, pos = cands[int(k)]
        pl = current[li]
        pl.rows.loc[pos, "uscc"] = broken_check_digit(np.array([pl.rows.at[pos, "uscc"]]), rng)[0]
        pl.bad[pos] = True


def _pilot_table(pop: Population, lists: list[PilotList]) -> pd.DataFrame:
    """Enterprises the programme knows as pilots by their code (they take assessments and file):
    first list year, date and list locality."""
    parts = []
    for pl in lists:
        if pl.superseded:
            continue
        keep = (pl.rows["kind"] != "ambiguous").to_numpy() & ~pl.bad[: len(pl.rows)]
        is_ent = keep & (pl.rows["ent"] >= 0).to_numpy()
        is_prov = keep & (pl.rows["kind"] == "provincial").to_numpy() & (pl.rows["uscc"] != "").to_numpy()
        date = pl.submitted_on if pl.submitted_on is not None else pl.when
        for mask, col in ((is_ent, "ent"), (is_prov, "other")):
            if mask.any():
                parts.append(pd.DataFrame({"key": col, "idx": pl.rows.loc[mask, col].to_numpy(), "year": pl.year,
                                           "date": date, "locality": pl.code}))
    real = [r["ent"] for r in pop.real_rows if r["ent"] >= 0]
    if real:
        parts.append(pd.DataFrame({"key": "ent", "idx": real, "year": 2023, "date": REAL_LIST_DAY,
                                   "locality": "310000"}))
    if not parts:
        return pd.DataFrame(columns=["uscc", "name", "locality", "first_year", "first_date"])
    t = pd.concat(parts, ignore_index=True).sort_values(["year", "date", "key", "idx"], kind="stable")
    t = t.drop_duplicates(["key", "idx"]).reset_index(drop=True)
    is_ent = (t["key"] == "ent").to_numpy()
    idx = t["idx"].to_numpy(dtype=np.int64)
    uscc = np.where(is_ent, pop.column("ents", "uscc")[np.where(is_ent, idx, 0)],
                    pop.column("others", "uscc")[np.where(is_ent, 0, idx)])
    name = np.where(is_ent, pop.column("ents", "name")[np.where(is_ent, idx, 0)],
                    pop.column("others", "name")[np.where(is_ent, 0, idx)])
    return pd.DataFrame({"uscc": uscc, "name": name, "locality": t["locality"].to_numpy(),
                         "first_year": t["year"].to_numpy(dtype=np.int64),
                         "first_date": t["date"].to_numpy(dtype="datetime64[D]")})


def build(seed: int, pop: Population, codes: list[str]) -> PilotPlan:
    lists, own_year = _select(seed, pop, codes)
    cats = categories(pop, stream(seed, "pilots/categories"))
    _compose(seed, pop, lists, own_year, codes, cats)
    _assign_shapes(seed, lists)
    planted = _plant_ambiguous(seed, pop, lists, own_year, cats)
    _blur_names(seed, lists)
    resubmitted = _resubmissions(seed, pop, lists, own_year, cats)
    for pl in lists:
        if pl.when is None:
            pl.when = pl.submitted_on
    _bad_rows(seed, lists)
    for pl in lists:
        if pl.bad is None:
            pl.bad = np.zeros(len(pl.rows), bool)
    notes = {
        "storylines": {c: vocab.storyline(c) for c in codes},
        "late_lists": sorted({(pl.code, pl.year, pl.batch) for pl in lists if pl.late and not pl.superseded}),
        "resubmitted_lists": resubmitted,
        "ambiguous_names": planted,
        "shared_register_names": sorted({str(pop.ents.at[a, "name"]) for a, _ in pop.dup_names}),
        "names_only_lists": sorted({(pl.code, pl.year, pl.batch) for pl in lists if pl.names_only}),
        "lists_without_2025": sorted(c for c in codes if not any(pl.code == c and pl.year == 2025 for pl in lists)),
    }
    return PilotPlan(lists, _pilot_table(pop, lists), notes)


# ---------------------------------------------------------------- files

_LABELS = ("{loc}{year}年度试点企业名单", "试点企业名单", "第{cn}批试点名单", "pilot_list",
           "{loc}创新管理知识产权国际标准实施试点企业名单")
_NOTES = ("填报说明", ("1. 本表由各地知识产权管理部门填报。", "2. 统一社会信用代码为18位。",
                      "3. 类型可填写多项，以顿号分隔。"))


def shape_of(key: str, title: str) -> Shape:
    if key == "csv_en":
        return Shape("csv", (("seq", "seq"), ("name", "name"), ("uscc", "uscc"), ("category", "category"),
                             ("district", "district"), ("submitted_on", "submitted_on")))
    if key == "xlsx":
        return Shape("xlsx", (("seq", "序号"), ("name", "单位名称"), ("uscc", "统一社会信用代码"), ("category", "类型"),
                              ("district", "区县"), ("submitted_on", "报送日期")), dates="excel", title=title,
                     notes=_NOTES)
    if key == "csv_gb":
        return Shape("csv", (("seq", "序号"), ("name", "企业名称"), ("uscc", "统一社会信用代码"),
                             ("category", "企业类型"), ("district", "所属区"), ("submitted_on", "报送日期")),
                     encoding="gb18030", dates="cjk")
    if key == "csv_bom":
        return Shape("csv", (("seq", "序号"), ("name", " 单位名称 "), ("uscc", "统一社会信用代码"), ("category", "类型"),
                             ("submitted_on", "报送日期")), encoding="utf-8-sig", dates="slash")
    if key == "tsv_names":
        return Shape("tsv", (("seq", "序号"), ("name", "单位名称"), ("category", "类型"), ("submitted_on", "报送日期")),
                     dates="dot")
    if key == "tsv_names_nodate":
        return Shape("tsv", (("seq", "序号"), ("name", "单位名称"), ("category", "类型")))
    if key == "columns_csv":
        return Shape("csv", (("locality_code", "Locality_Code"), ("year", "Year"), ("batch", "Batch"), ("seq", "Seq"),
                             ("name", "Name"), ("uscc", "USCC"), ("category", "Category"),
                             ("submitted_on", "Submitted_On")))
    raise ValueError(key)


def _consolidated_shape() -> Shape:
    return Shape("xlsx", (("locality_code", "地区代码"), ("year", "试点年度"), ("batch", "批次"), ("seq", "序号"),
                          ("name", "单位名称"), ("uscc", "统一社会信用代码"), ("category", "类型"),
                          ("submitted_on", "报送日期")),
                 dates="serial", years="cjk",
                 values={"batch": {1: ("第一批", "首批", "1"), 2: ("第二批", "2"), 3: ("第三批",)}},
                 title="创新管理知识产权国际标准实施试点企业名单汇总（部分地区）",
                 notes=("说明", ("本表汇总部分地区报送的试点企业名单。", "报送日期为Excel日期序列号。")), notes_last=True)


def _frame(pl: PilotList) -> pd.DataFrame:
    rows = pl.rows
    return pd.DataFrame({
        "seq": np.arange(1, len(rows) + 1), "name": rows["name"].to_numpy(), "uscc": rows["uscc"].to_numpy(),
        "category": rows["category"].to_numpy(), "district": rows["district"].to_numpy(),
        "submitted_on": np.full(len(rows), pl.submitted_on if pl.submitted_on is not None else np.datetime64("NaT"),
                                dtype="datetime64[D]"),
        "locality_code": pl.code, "year": pl.year, "batch": pl.batch})


def write(seed: int, plan: PilotPlan, landing: Landing) -> None:
    names = _locality_names()
    consolidated = [pl for pl in plan.lists if pl.consolidated]
    for pl in plan.lists:
        if pl.consolidated:
            continue
        loc = names[pl.code]
        pick = stream(seed, f"pilots/label/{pl.code}/{pl.year}/{pl.batch}").integers(0, len(_LABELS))
        label = _LABELS[int(pick)].format(loc=loc, year=pl.year, cn=CN_NUMBER[pl.batch])
        if pl.shape_key == "columns_csv":
            stem = f"{loc}{pl.year}年第{CN_NUMBER[pl.batch]}批试点企业名单"
        else:
            stem = f"{pl.code}_{pl.year}_b{pl.batch}_{label}" + ("（更正）" if pl.resubmission else "")
        title = f"{loc}{pl.year}年度创新管理知识产权国际标准实施试点企业名单（第{CN_NUMBER[pl.batch]}批）"
        shape = shape_of(pl.shape_key, title)
        pl.file_name = stem
        landing.write_frame("pilots", stem + "." + shape.ext, shape, pl.when,
                            Chunk(_frame(pl), pl.bad, pl.overrides))
    if consolidated:
        when = max(pl.when for pl in consolidated) + np.timedelta64(10, "D")
        sink = landing.sink("pilots", "全国试点企业名单汇总（部分地区）.xlsx", _consolidated_shape(), when)
        for year in YEARS:
            for pl in consolidated:
                if pl.year == year:
                    sink.add(Chunk(_frame(pl), pl.bad, pl.overrides, sheet=f"{year}年"))
        sink.close()
