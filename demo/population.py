"""The enterprises behind the demo: the national register (who is eligible when), plus the units
that appear on pilot lists without being in it (provincial-level enterprises, hospitals,
institutes, universities). Vectorised with numpy: a million enterprises in about ten seconds."""
from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from pilotdw.demo import vocab
from pilotdw.demo.codes import stream, unique_usccs

YEARS = (2023, 2024, 2025)
REAL_SHANGHAI = Path(__file__).resolve().parent / "real" / "shanghai_2023_batch1_pilots.tsv"

# recognized_year distributions (most before 2023; the base keeps growing through 2025)
_IP_YEARS = np.arange(2013, 2026)
_IP_WEIGHTS = np.array([3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 6, 5, 4], float)
_LG_YEARS = np.arange(2019, 2026)
_LG_WEIGHTS = np.array([3, 12, 18, 24, 16, 14, 13], float)
QUALS = ("ip_demonstration", "ip_advantage", "little_giant")


@dataclass
class Population:
    ents: pd.DataFrame  # one row per register enterprise (index = ent id)
    quals: pd.DataFrame  # one row per qualification: ent, qualification, recognized_year, revoked_year
    eligible: dict[int, np.ndarray]  # year -> bool per ent: E(L, Y) membership
    others: pd.DataFrame  # pilot-list units outside the register (kind: provincial|hospital|institute|university)
    real_rows: list[dict]  # the real Shanghai list: seq, name, category, ent (-1 when not in the register)
    dup_names: list[tuple[int, int]]  # pairs of ents sharing one name in two localities

    def column(self, table: str, name: str) -> np.ndarray:
        """A column as a numpy array, converted once (arrow-backed strings are slow to convert)."""
        cache = self.__dict__.setdefault("_columns", {})
        if (table, name) not in cache:
            cache[(table, name)] = getattr(self, table)[name].to_numpy()
        return cache[(table, name)]


def read_real_shanghai() -> list[dict]:
    with REAL_SHANGHAI.open(encoding="utf-8", newline="") as fh:
        reader = csv.reader(fh, delimiter="\t")
        next(reader)
        return [{"seq": int(r[0]), "name": r[1], "category": r[2]} for r in reader if r]


def _real_qualifications(category: str) -> list[str]:
    quals = []
    if "国家示范企业" in category:
        quals.append("ip_demonstration")
    if "国家优势企业" in category:
        quals.append("ip_advantage")
    if "小巨人" in category:
        quals.append("little_giant")
    return quals


def allocate(total: int, codes: list[str]) -> dict[str, int]:
    """Enterprises per locality in proportion to economic weight (largest remainder), at least
    MIN_PER_LOCALITY each."""
    w = np.array([vocab.LOCALITY_WEIGHTS[c] for c in codes], float)
    raw = w / w.sum() * total
    base = np.floor(raw).astype(int)
    rest = total - base.sum()
    order = np.argsort(-(raw - base), kind="stable")
    base[order[:rest]] += 1
    base = np.maximum(base, vocab.MIN_PER_LOCALITY)
    while base.sum() > max(total, vocab.MIN_PER_LOCALITY * len(codes)):  # the minimum comes out of the largest
        base[int(np.argmax(base))] -= 1
    return {c: int(b) for c, b in zip(codes, base)}


def full_width_brackets(names: pd.Series) -> pd.Series:
    return names.str.replace("(", "（", regex=False).str.replace(")", "）", regex=False)


def _name_parts(rng: np.random.Generator, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    c1 = rng.integers(0, len(vocab.CORE_FIRST), n)
    c2 = rng.integers(0, len(vocab.CORE_SECOND), n)
    ind_p = np.array([w for _, w in vocab.INDUSTRIES], float)
    ind = rng.choice(len(vocab.INDUSTRIES), n, p=ind_p / ind_p.sum())
    suf_p = np.array([w for _, w in vocab.SUFFIXES], float)
    suf = rng.choice(len(vocab.SUFFIXES), n, p=suf_p / suf_p.sum())
    return c1, c2, ind, suf


def _unique_combos(rng: np.random.Generator, n: int) -> np.ndarray:
    """n distinct (core, industry, suffix, style) combination codes."""
    n_c1, n_c2, n_ind, n_suf = len(vocab.CORE_FIRST), len(vocab.CORE_SECOND), len(vocab.INDUSTRIES), len(vocab.SUFFIXES)
    picked = np.empty(0, np.int64)
    while len(picked) < n:
        want = int((n - len(picked)) * 1.2) + 16
        c1, c2, ind, suf = _name_parts(rng, want)
        style = (rng.random(want) < 0.2).astype(np.int64)  # 1: brand first, city in brackets
        code = (((c1 * n_c2 + c2) * n_ind + ind) * n_suf + suf) * 2 + style
        code = code[c1 != c2]
        allc = np.concatenate([picked, code])
        _, first = np.unique(allc, return_index=True)
        picked = allc[np.sort(first)]
    return picked[:n]


def _names_from_combos(city: str, combos: np.ndarray) -> np.ndarray:
    n_c2, n_ind, n_suf = len(vocab.CORE_SECOND), len(vocab.INDUSTRIES), len(vocab.SUFFIXES)
    style = combos % 2
    rest = combos // 2
    suf = rest % n_suf
    rest //= n_suf
    ind = rest % n_ind
    rest //= n_ind
    c2 = rest % n_c2
    c1 = rest // n_c2
    first = np.array(list(vocab.CORE_FIRST))[c1]
    second = np.array(list(vocab.CORE_SECOND))[c2]
    industry = np.array([s for s, _ in vocab.INDUSTRIES])[ind]
    suffix = np.array([s for s, _ in vocab.SUFFIXES])[suf]
    core = np.strings.add(np.strings.add(first, second), industry)
    # "（集团）" and a bracketed city do not go together: those keep the city in front.
    bracketed = (style == 1) & (suf != 2)
    front = np.strings.add(np.strings.add(city, core), suffix)
    back = np.strings.add(np.strings.add(core, f"（{city}）"), suffix)
    return np.where(bracketed, back, front)


def _cities(rng: np.random.Generator, code: str, n: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """City name, division code and district text for n enterprises of one locality."""
    cities = vocab.CITIES[code]
    w = np.array([c[2] for c in cities], float)
    pick = rng.choice(len(cities), n, p=w / w.sum())
    city = np.empty(n, dtype=object)
    division = np.empty(n, dtype="U6")
    district = np.empty(n, dtype=object)
    for i, (name, prefix4, _) in enumerate(cities):
        hit = pick == i
        if not hit.any():
            continue
        options = vocab.city_divisions(name, prefix4)
        chosen = np.asarray(options)[rng.integers(0, len(options), int(hit.sum()))]
        city[hit] = name
        division[hit] = chosen
        shown = np.array([vocab.district_name(name, d) for d in options], dtype=object)
        district[hit] = shown[_index_of(options, chosen)]
    return city, division, district


def _index_of(options: tuple[str, ...], chosen: np.ndarray) -> np.ndarray:
    order = np.argsort(np.array(options))
    return order[np.searchsorted(np.array(options)[order], chosen)]


def _generated_names(rng: np.random.Generator, city: np.ndarray) -> np.ndarray:
    names = np.empty(len(city), dtype=object)
    for c in sorted(set(city.tolist())):
        hit = city == c
        names[hit] = _names_from_combos(c, _unique_combos(rng, int(hit.sum())))
    return names


def _qualifications(rng: np.random.Generator, n: int) -> pd.DataFrame:
    """1–2 national qualifications per enterprise with recognised and (rarely) revoked years."""
    primary = rng.choice(3, n, p=[0.10, 0.35, 0.55])
    ip_year = rng.choice(_IP_YEARS, n, p=_IP_WEIGHTS / _IP_WEIGHTS.sum())
    lg_year = rng.choice(_LG_YEARS, n, p=_LG_WEIGHTS / _LG_WEIGHTS.sum())
    year1 = np.where(primary == 2, lg_year, ip_year)
    has2 = rng.random(n) < 0.15
    upgrade = rng.random(n) < 0.5
    # little giant -> also an advantage enterprise; advantage -> upgraded to demonstration (later)
    # or also a little giant; demonstration -> also a little giant
    second = np.where(primary == 2, 1, np.where(primary == 1, np.where(upgrade, 0, 2), 2))
    year2 = np.where(second == 2, rng.choice(_LG_YEARS, n, p=_LG_WEIGHTS / _LG_WEIGHTS.sum()),
                     rng.choice(_IP_YEARS, n, p=_IP_WEIGHTS / _IP_WEIGHTS.sum()))
    is_upgrade = (primary == 1) & (second == 0)
    year2 = np.where(is_upgrade, year1 + rng.integers(2, 7, n), year2)
    has2 &= year2 <= 2025
    ent = np.concatenate([np.arange(n), np.flatnonzero(has2)])
    kind = np.concatenate([primary, second[has2]])
    year = np.concatenate([year1, year2[has2]])
    revoke_p = np.where(kind == 2, 0.01, 0.025)
    revoked = (rng.random(len(ent)) < revoke_p) & (year <= 2024)
    low = np.maximum(year + 1, 2023)
    revoked_year = np.where(revoked, low + (rng.random(len(ent)) * (2026 - low)).astype(int), -1)
    frame = pd.DataFrame({"ent": ent, "qualification": np.array(QUALS)[kind], "recognized_year": year,
                          "revoked_year": pd.array(np.where(revoked, revoked_year, 0), dtype="Int64")})
    frame.loc[~revoked, "revoked_year"] = pd.NA
    return frame


def eligibility(quals: pd.DataFrame, n: int) -> dict[int, np.ndarray]:
    out = {}
    rev = quals["revoked_year"].fillna(9999).to_numpy(dtype=np.int64)
    for y in YEARS:
        ok = (quals["recognized_year"].to_numpy() <= y) & (rev > y)
        e = np.zeros(n, bool)
        e[quals["ent"].to_numpy()[ok]] = True
        out[y] = e
    return out


def build(seed: int, total: int, codes: list[str]) -> Population:
    rng = stream(seed, "population")
    real_rows = read_real_shanghai() if "310000" in codes else []
    real_eligible = [r for r in real_rows if _real_qualifications(r["category"])]
    counts = allocate(max(total - len(real_eligible), len(codes) * vocab.MIN_PER_LOCALITY), codes)

    loc_parts, city_parts, div_parts, dist_parts = [], [], [], []
    for code in codes:
        city, division, district = _cities(rng, code, counts[code])
        loc_parts.append(np.full(counts[code], code, dtype=object))
        city_parts.append(city)
        div_parts.append(division)
        dist_parts.append(district)
    locality = np.concatenate(loc_parts)
    city = np.concatenate(city_parts)
    division = np.concatenate(div_parts)
    district = np.concatenate(dist_parts)
    n_gen = len(locality)

    # Provincial-level (non-national) enterprises on the lists: ~5 % of each locality, drawn together
    # with the register names so no name is shared by accident.
    prov_n = {c: max(2, round(0.05 * counts[c])) for c in codes}
    p_loc = np.concatenate([np.full(prov_n[c], c, dtype=object) for c in codes])
    p_city, p_div, p_dist = (np.concatenate(x) for x in zip(*[_cities(rng, c, prov_n[c]) for c in codes]))
    all_city = np.concatenate([city, p_city])
    names = _generated_names(rng, all_city)

    # the real Shanghai enterprises that hold a national qualification
    n_real = len(real_eligible)
    if n_real:
        r_city, r_div, r_dist = _cities(rng, "310000", n_real)
        real_names = full_width_brackets(pd.Series([r["name"] for r in real_eligible], dtype="str")).to_numpy(dtype=object)
    else:
        r_city = r_div = r_dist = real_names = np.empty(0, dtype=object)

    # A generated name equal to a real one (or, by a rare coincidence of two cities' strings, to
    # another generated one) gets another brand; real names are kept as published.
    # Every name of the real list is protected, registered or not (a hospital's name must not turn
    # up in the register by chance).
    protected = pd.Series([r["name"] for r in real_rows], dtype=object).str.replace("(", "（", regex=False) \
        .str.replace(")", "）", regex=False).to_numpy(dtype=object)
    protected = protected[~np.isin(protected, real_names)]
    everything = np.concatenate([real_names, protected, names]).astype(object)
    everything_city = np.concatenate([np.asarray(r_city, dtype=object), protected, all_city])
    while True:
        dup = pd.Series(everything).duplicated().to_numpy()
        if not dup.any():
            break
        for i in np.flatnonzero(dup):
            everything[i] = _names_from_combos(everything_city[i], _unique_combos(rng, 1))[0]
    names = everything[n_real + len(protected):]
    reg_names = np.concatenate([names[:n_gen], real_names]).astype(object)
    prov_names = names[n_gen:]

    ents = pd.DataFrame({
        "locality": np.concatenate([locality, np.full(n_real, "310000", dtype=object)]),
        "city": np.concatenate([city, r_city]),
        "division": np.concatenate([division, np.asarray(r_div, dtype="U6")]),
        "district": np.concatenate([district, r_dist]),
        "name": reg_names,
        "is_real": np.concatenate([np.zeros(n_gen, bool), np.ones(n_real, bool)]),
    })
    n = len(ents)
    ents["explicit_locality"] = ents["locality"] == "660000"
    ents["dup_group"] = -1

    quals = _qualifications(rng, n)
    if n_real:
        quals = quals[quals["ent"] < n_gen]
        real_q = [(n_gen + i, q) for i, r in enumerate(real_eligible) for q in _real_qualifications(r["category"])]
        lg_years = rng.choice(np.arange(2019, 2023), len(real_q), p=[0.1, 0.25, 0.3, 0.35])
        quals = pd.concat([quals, pd.DataFrame({
            "ent": [e for e, _ in real_q], "qualification": [q for _, q in real_q],
            "recognized_year": [int(y) if q == "little_giant" else 2022 for (_, q), y in zip(real_q, lg_years)],
            "revoked_year": pd.array([pd.NA] * len(real_q), dtype="Int64")})], ignore_index=True)
    quals = quals.sort_values(["ent", "recognized_year"], kind="stable").reset_index(drop=True)

    _relocate(rng, ents, quals, codes)
    dup_names = _share_names(rng, ents, quals, codes, set(reg_names.tolist()) | set(prov_names.tolist()))

    all_div = np.concatenate([ents["division"].to_numpy(dtype="U6"), np.asarray(p_div, dtype="U6")])
    codes91 = unique_usccs(rng, all_div, "91")
    ents["uscc"] = codes91[:n]

    others = _others(rng, codes, counts, p_loc, prov_names, p_dist, codes91[n:])
    real_index = {name: n_gen + i for i, name in enumerate(real_names.tolist())}
    for r in real_rows:
        key = r["name"].replace("(", "（").replace(")", "）")
        r["ent"] = real_index.get(key, -1) if _real_qualifications(r["category"]) else -1
    return Population(ents, quals, eligibility(quals, n), others, real_rows, dup_names)


def _relocate(rng: np.random.Generator, ents: pd.DataFrame, quals: pd.DataFrame, codes: list[str]) -> None:
    """Two enterprises that moved: USCC of the old locality, explicit register locality of the new
    (the explicit one wins, and is flagged)."""
    movable = [c for c in codes if c != "660000"]
    if len(movable) < 2 or len(ents) < 1_000:
        return
    single = quals.groupby("ent").size()
    candidates = np.flatnonzero((~ents["is_real"] & (ents["locality"] != "660000")).to_numpy()
                                & np.isin(np.arange(len(ents)), single[single == 1].index.to_numpy()))
    for ent in rng.choice(candidates, 2, replace=False):
        old = ents.at[ent, "locality"]
        new = rng.choice([c for c in movable if c != old and vocab.PROVINCE_OF_CITY.get(c) != old
                          and vocab.PROVINCE_OF_CITY.get(old) != c])
        ents.at[ent, "locality"] = str(new)
        ents.at[ent, "explicit_locality"] = True


def _share_names(rng: np.random.Generator, ents: pd.DataFrame, quals: pd.DataFrame, codes: list[str],
                 used: set[str]) -> list[tuple[int, int]]:
    """A few pairs of enterprises in two localities with the very same name (no city in it): a
    names-only list elsewhere cannot tell them apart (ambiguous)."""
    big = [c for c in codes if c not in ("660000",) and (ents["locality"] == c).sum() >= 10]
    if len(big) < 3:
        return []
    k = int(np.clip(round(len(ents) / 1500), 2, 12))
    single = quals.groupby("ent").size()
    ok = ((~ents["is_real"]) & (~ents["explicit_locality"])).to_numpy() & np.isin(
        np.arange(len(ents)), single[single == 1].index.to_numpy())
    first_year = quals.groupby("ent")["recognized_year"].min().reindex(range(len(ents))).to_numpy()
    ok &= first_year <= 2022
    pairs = []
    for g in range(k):
        a, b = rng.choice(big, 2, replace=False)
        ea = rng.choice(np.flatnonzero(ok & (ents["locality"] == a).to_numpy()))
        eb = rng.choice(np.flatnonzero(ok & (ents["locality"] == b).to_numpy()))
        while True:
            c1, c2, ind, suf = _name_parts(rng, 1)
            name = (vocab.CORE_FIRST[c1[0]] + vocab.CORE_SECOND[c2[0]] + vocab.INDUSTRIES[ind[0]][0]
                    + vocab.SUFFIXES[suf[0]][0])
            if name not in used:
                break
        used.add(name)
        for e in (ea, eb):
            ents.at[e, "name"] = name
            ents.at[e, "dup_group"] = g
            ok[e] = False
        pairs.append((int(ea), int(eb)))
    return pairs


def _others(rng: np.random.Generator, codes: list[str], counts: dict[str, int], p_loc: np.ndarray,
            p_names: np.ndarray, p_dist: np.ndarray, p_uscc: np.ndarray) -> pd.DataFrame:
    """Units that turn up on pilot lists but hold no national qualification."""
    prov = pd.DataFrame({"locality": p_loc, "name": p_names, "district": p_dist, "uscc": p_uscc,
                         "kind": "provincial",
                         "category": np.asarray(vocab.PROVINCIAL_CATEGORIES, dtype=object)[
                             rng.integers(0, len(vocab.PROVINCIAL_CATEGORIES), len(p_loc))]})
    rows = []
    for code in codes:
        want = min(max(2, round(0.02 * counts[code])), 300)  # a locality has only so many hospitals
        cities = [c for c in vocab.CITIES[code] if not c[1].endswith("00") or code in ("660000",)]
        seen = set()
        for _ in range(want * 3):
            if len(seen) >= want:
                break
            kind = rng.choice(["hospital", "institute", "institute", "university"])
            city, prefix4, _ = cities[rng.integers(0, len(cities))]
            templates = {"hospital": vocab.HOSPITAL_TEMPLATES, "institute": vocab.INSTITUTE_TEMPLATES,
                         "university": vocab.UNIVERSITY_TEMPLATES}[kind]
            name = templates[rng.integers(0, len(templates))].format(
                city=city, field=vocab.FIELDS[rng.integers(0, len(vocab.FIELDS))])
            if name in seen:
                continue
            seen.add(name)
            divisions = vocab.city_divisions(city, prefix4)
            rows.append({"locality": code, "name": name, "district": vocab.district_name(city, divisions[0]),
                         "division": divisions[0], "kind": str(kind),
                         "category": vocab.INSTITUTION_CATEGORIES[str(kind)]})
    inst = pd.DataFrame(rows)
    inst["uscc"] = unique_usccs(rng, inst["division"].to_numpy(dtype="U6"), "12", p_uscc)
    return pd.concat([prov, inst.drop(columns="division")], ignore_index=True)


# ---------------------------------------------------------------- register files

def register_rows(pop: Population) -> pd.DataFrame:
    """Canonical register rows: one per qualification, with the enterprise's identity."""
    q = pop.quals
    e = pop.ents.loc[q["ent"].to_numpy()].reset_index(drop=True)
    return pd.DataFrame({
        "ent": q["ent"].to_numpy(), "uscc": e["uscc"].to_numpy(), "name": e["name"].to_numpy(),
        "qualification": q["qualification"].to_numpy(), "recognized_year": q["recognized_year"].to_numpy(),
        "revoked_year": q["revoked_year"].to_numpy(), "locality_code": e["locality"].to_numpy(),
        "explicit": e["explicit_locality"].to_numpy(),
    })
