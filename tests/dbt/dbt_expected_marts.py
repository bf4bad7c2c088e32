"""The marts' figures for the fixture, computed in pandas straight from the fixture's truth and the
definitions of metrics.md (and the decisions in docs/metrics.md) — independently of the SQL."""
from __future__ import annotations

import statistics
from datetime import date

import pandas as pd

import dbt_fixture_truth as fx
from pilotdw.settings import localities

KIND_ORDER = {"initial": 1, "annual": 2, "graded": 3}
WEIGHTS = {"coverage": 30, "filing": 15, "improved": 20, "score": 20, "hvp": 15}  # docs/metrics.md, in points


def years() -> list[int]:
    """P0 .. the latest list, filing or assessment year among current rows."""
    data_years = [p.year for p in fx.PILOT_LISTS if p.superseded_by is None]
    data_years += [f[1] for f in fx.FILINGS if not f[7]]
    data_years += [a[2].year for a in fx.ASSESSMENTS if not a[7]]
    return list(range(fx.P0, max(max(data_years), fx.P0) + 1))


def holds_qualification(key: str, year: int) -> bool:
    """A qualification is held in Y when recognised in or before Y with no revocation of that
    qualification between the recognition and Y (data-contract.md: revoked = no longer held from then on)."""
    rows = [r for r in fx.REGISTER_ROWS if r[0] == key]
    for qualification in {r[1] for r in rows}:
        recognitions = [r[2] for r in rows if r[1] == qualification]
        revocations = [r[3] for r in rows if r[1] == qualification and r[3] is not None]
        if any(rec <= year and not any(rec <= rev <= year for rev in revocations) for rec in recognitions):
            return True
    return False


def _key_of(uscc: str) -> str:
    return next(e.key for e in fx.ENTERPRISES.values() if e.uscc == uscc)


def eligible(locality: str, year: int) -> set[str]:
    return {e.uscc for e in fx.ENTERPRISES.values() if e.locality == locality and holds_qualification(e.key, year)}


def pilot_rows() -> pd.DataFrame:
    """Current pilot rows with their truth: who they are and the key they are counted by."""
    records = []
    for plist in fx.PILOT_LISTS:
        if plist.superseded_by is not None:
            continue
        for n, (name, _given, who, status) in enumerate(plist.rows, start=2):
            uscc = fx.ENTERPRISES[who].uscc if who else None
            records.append({
                "source_file": plist.path, "row_number": n, "locality_code": plist.locality,
                "year": plist.year, "batch": plist.batch, "submitted_on": plist.submitted_on,
                "name": name, "name_key": fx.name_key(name), "status": status, "uscc": uscc,
                "key": uscc if uscc else "name:" + fx.name_key(name),
                "mismatch": bool(who) and fx.ENTERPRISES[who].locality != plist.locality,
            })
    return pd.DataFrame.from_records(records)


def current_assessments() -> pd.DataFrame:
    df = pd.DataFrame.from_records(
        [a for a in fx.ASSESSMENTS if not a[7]],
        columns=["who", "kind", "on", "total", "grade", "file", "mtime", "superseded"],
    )
    df["uscc"] = df["who"].map(lambda k: fx.ENTERPRISES[k].uscc)
    # a same-day repeat of one kind is a correction: the later file wins
    df = df.sort_values("mtime").drop_duplicates(["uscc", "kind", "on"], keep="last")
    df["order"] = df["kind"].map(KIND_ORDER)
    return df.sort_values(["uscc", "on", "order"]).reset_index(drop=True)


def latest_filings() -> pd.DataFrame:
    df = pd.DataFrame.from_records(
        [f for f in fx.FILINGS if not f[7]],
        columns=["who", "year", "submitted", "hvp", "revenue", "file", "mtime", "superseded"],
    )
    df["uscc"] = df["who"].map(lambda k: fx.ENTERPRISES[k].uscc)
    df["dated"] = df["submitted"].notna()
    df["submitted_sort"] = pd.to_datetime(df["submitted"])
    df = df.sort_values(["dated", "submitted_sort", "mtime"], na_position="first")
    return df.drop_duplicates(["uscc", "year"], keep="last").set_index(["uscc", "year"])


def list_deadline(year: int):
    """metrics.md "Gates": 31 March of Y; 30 June of Y in the first programme year P0."""
    return date(year, 6, 30) if year == fx.P0 else date(year, 3, 31)


def list_on_time(locality: str, year: int) -> bool | None:
    """Judged per current list (file) of the fixture: late only when every list of the year is
    dated after the deadline; an undated list counts as on time; None without a list."""
    lists = [p for p in fx.PILOT_LISTS if p.superseded_by is None and p.locality == locality and p.year == year]
    if not lists:
        return None
    return any(p.submitted_on is None or p.submitted_on <= list_deadline(year) for p in lists)


def coverage() -> pd.DataFrame:
    rows = pilot_rows()
    records = []
    for locality in {p.locality for p in fx.PILOT_LISTS} | {fx.BJ}:
        mine = rows[rows.locality_code == locality]
        for y in years():
            e = eligible(locality, y)
            batch = mine[mine.year == y]
            keys = set(batch.key)
            earlier = set(mine[mine.year < y].key)
            upto = set(mine[mine.year <= y].key)
            batch_eligible = len(keys & e)
            cum_eligible = len(upto & e)
            dates = batch.submitted_on.dropna()
            records.append({
                "locality_code": locality, "year": y, "eligible_base": len(e), "batch_pilots": len(keys),
                "batch_eligible_pilots": batch_eligible,
                "batch_ratio": batch_eligible / len(e) if e else None,
                "meets_batch_target": (batch_eligible / len(e) >= 1 / 3) if e else None,
                "cumulative_eligible_pilots": cum_eligible,
                "cumulative_coverage": cum_eligible / len(e) if e else None,
                "target_coverage": min(1.0, (y - fx.P0 + 1) / (fx.P1 - fx.P0 + 1)),
                "on_track": (cum_eligible / len(e) >= min(1.0, (y - fx.P0 + 1) / (fx.P1 - fx.P0 + 1))) if e else None,
                "non_eligible_pilots": len(keys) - batch_eligible,
                "unmatched_pilots": batch[batch.status.isin(["unmatched", "ambiguous"])].name_key.nunique(),
                "repeat_pilots": len(keys & earlier),
                "list_submitted_on": max(dates) if len(dates) else None,
                "list_deadline": list_deadline(y),
                "list_on_time": list_on_time(locality, y),
                # left E(L,Y) from E(L,Y-1) with a qualification recognised by Y-1 revoked in Y
                "eligible_revoked": sum(
                    1 for uscc in eligible(locality, y - 1) - e
                    if any(r[3] == y and r[2] <= y - 1 for r in fx.REGISTER_ROWS if r[0] == _key_of(uscc))
                ) if y > years()[0] else 0,  # the first year has no year before it in the marts
                # behind schedule: the year's target not met; no eligible enterprise is never behind
                "behind_schedule": bool(e) and cum_eligible / len(e) < min(1.0, (y - fx.P0 + 1) / (fx.P1 - fx.P0 + 1)),
            })
    return pd.DataFrame.from_records(records).set_index(["locality_code", "year"]).sort_index()


def participation() -> pd.DataFrame:
    rows = pilot_rows()
    assessments = current_assessments()
    filings = latest_filings()
    records = []
    for locality in sorted(set(rows.locality_code)):
        for y in years():
            cohort = rows[(rows.locality_code == locality) & (rows.year <= y)].drop_duplicates("key")
            usccs = [u for u in cohort.uscc if u]

            def has(kind: str, uscc: str) -> bool:
                a = assessments[(assessments.uscc == uscc) & (assessments.kind == kind)]
                return bool((a["on"].map(lambda d: d.year) <= y).any())

            n = len(cohort)
            initial = sum(has("initial", u) for u in usccs)
            graded = sum(has("graded", u) for u in usccs)
            filed = sum((u, y) in filings.index for u in usccs)
            records.append({
                "locality_code": locality, "year": y, "cumulative_pilots": n, "assessed_initial": initial,
                "filed": filed, "graded": graded, "initial_assessment_rate": initial / n if n else None,
                "filing_rate": filed / n if n else None, "graded_rate": graded / n if n else None,
            })
    return pd.DataFrame.from_records(records).set_index(["locality_code", "year"]).sort_index()


def improvement() -> pd.DataFrame:
    rows = pilot_rows()
    assessments = current_assessments()
    filings = latest_filings()
    piloted = rows[rows.uscc.notna()]
    records = []
    for uscc, group in piloted.groupby("uscc"):
        cohort_year = int(group.year.min())
        mine = assessments[assessments.uscc == uscc]
        initials = mine[mine.kind == "initial"]
        baseline = initials.iloc[0]["total"] if len(initials) else None
        for y in years():
            if y < cohort_year:
                continue
            upto = mine[mine["on"].map(lambda d: d.year) <= y]
            latest = upto.iloc[-1]["total"] if len(upto) else None
            graded = upto[upto.kind == "graded"]
            delta = latest - baseline if latest is not None and baseline is not None else None

            def yoy(column: str) -> float | None:
                cur = filings[column].get((uscc, y))
                prev = filings[column].get((uscc, y - 1))
                if cur is None or prev is None or pd.isna(cur) or pd.isna(prev) or prev == 0:
                    return None
                return cur / prev - 1

            records.append({
                "uscc": uscc, "year": y, "cohort_year": cohort_year, "baseline_score": baseline,
                "latest_score": latest, "score_delta": delta,
                "improved": None if delta is None else delta > 0,
                "latest_grade": int(graded.iloc[-1]["grade"]) if len(graded) else None,
                "high_value_invention_patents_yoy": yoy("hvp"), "revenue_yoy": yoy("revenue"),
                "filed": (uscc, y) in filings.index,
                "hvp": filings["hvp"].get((uscc, y)),
            })
    return pd.DataFrame.from_records(records).set_index(["uscc", "year"]).sort_index()


def _clamp(x: float) -> float:
    return min(1.0, max(0.0, x))


def _missing(x) -> bool:
    return x is None or pd.isna(x)


def effectiveness_index(eligible_base, cumulative_pilots, coverage_, filing, improved, mean_delta, hvp_growth):
    if eligible_base == 0 and cumulative_pilots == 0:
        return None
    parts = {
        "filing": 0.0 if _missing(filing) else filing,
        "improved": 0.0 if _missing(improved) else improved,
        "score": 0.0 if _missing(mean_delta) else _clamp(0.5 + mean_delta / 20),
        "hvp": 0.0 if _missing(hvp_growth) else _clamp(0.5 + hvp_growth),
    }
    if eligible_base > 0:
        parts["coverage"] = coverage_
    return 100 * sum(WEIGHTS[k] * v for k, v in parts.items()) / sum(WEIGHTS[k] for k in parts)


def effectiveness() -> pd.DataFrame:
    """Per locality with pilots, plus the national row pooled over all localities' cohorts."""
    rows = pilot_rows()
    cov = coverage()
    part = participation()
    imp = improvement()
    first_year = rows[rows.uscc.notna()].groupby(["locality_code", "uscc"]).year.min()
    records = []
    for y in years():
        pooled = {"deltas": [], "improved": 0, "hvp": [], "yoy": []}
        for locality in sorted(set(rows.locality_code)) + ["000000"]:
            if locality == "000000":
                deltas, n_improved, hvps, yoys = pooled["deltas"], pooled["improved"], pooled["hvp"], pooled["yoy"]
                e_sum = int(cov.xs(y, level="year").eligible_base.sum())
                cum_e = int(cov.xs(y, level="year").cumulative_eligible_pilots.sum())
                n_pilots = int(part.xs(y, level="year").cumulative_pilots.sum())
                filed = int(part.xs(y, level="year").filed.sum())
                eligible_base = e_sum
                coverage_ = cum_e / e_sum if e_sum else None
                filing = filed / n_pilots if n_pilots else None
            else:
                members = [u for (loc, u), first in first_year.items() if loc == locality and first <= y]
                outcomes = imp.loc[[(u, y) for u in members]] if members else imp.iloc[0:0]
                deltas = [d for d in outcomes.score_delta if d is not None and not pd.isna(d)]
                n_improved = int(sum(1 for d in deltas if d > 0))
                hvps = [h for f, h in zip(outcomes.filed, outcomes.hvp) if f and h is not None and not pd.isna(h)]
                yoys = [v for v in outcomes.high_value_invention_patents_yoy if v is not None and not pd.isna(v)]
                pooled["deltas"] += deltas
                pooled["improved"] += n_improved
                pooled["hvp"] += hvps
                pooled["yoy"] += yoys
                eligible_base = int(cov.loc[(locality, y)].eligible_base)
                n_pilots = int(part.loc[(locality, y)].cumulative_pilots)
                coverage_ = cov.loc[(locality, y)].cumulative_coverage
                filing = part.loc[(locality, y)].filing_rate
            mean_delta = statistics.fmean(deltas) if deltas else None
            hvp_growth = statistics.median(yoys) if yoys else None
            share = n_improved / len(deltas) if deltas else None
            records.append({
                "locality_code": locality, "year": y, "pilots_with_delta": len(deltas),
                "mean_score_delta": mean_delta,
                "median_score_delta": statistics.median(deltas) if deltas else None,
                "share_improved": share, "filing_rate": filing, "cumulative_coverage": coverage_,
                "hvp_per_pilot": statistics.fmean(hvps) if hvps else None, "hvp_growth": hvp_growth,
                "effectiveness_index": effectiveness_index(
                    eligible_base, n_pilots, coverage_, filing, share, mean_delta, hvp_growth),
            })
    return pd.DataFrame.from_records(records).set_index(["locality_code", "year"]).sort_index()


def national_summary() -> pd.DataFrame:
    cov = coverage()
    eff = effectiveness()
    rows = pilot_rows()
    records = []
    part = participation()
    for y in years():
        c = cov.xs(y, level="year")
        p = part.xs(y, level="year")
        national = eff.loc[("000000", y)]
        records.append({
            "year": y,
            "localities_with_lists": rows[rows.year == y].locality_code.nunique(),
            "eligible_base": int(c.eligible_base.sum()),
            "batch_pilots": int(c.batch_pilots.sum()),
            "cumulative_eligible_pilots": int(c.cumulative_eligible_pilots.sum()),
            "cumulative_coverage": c.cumulative_eligible_pilots.sum() / c.eligible_base.sum(),
            "localities_on_track": int((c.on_track == True).sum()),  # noqa: E712 (None is not on track)
            "localities_meeting_batch_target": int((c.meets_batch_target == True).sum()),  # noqa: E712
            "localities_behind_schedule": int(c.behind_schedule.sum()),
            # the localities outside the fixture's coverage frame have no eligible enterprise either
            "localities_without_eligible": int((c.eligible_base == 0).sum()) + len(localities()) - len(c),
            "filing_rate": national.filing_rate,
            "mean_score_delta": national.mean_score_delta,
            "share_improved": national.share_improved,
            "cumulative_pilots": int(p.cumulative_pilots.sum()),
            "assessed_initial": int(p.assessed_initial.sum()),
            "graded": int(p.graded.sum()),
            "initial_assessment_rate": p.assessed_initial.sum() / p.cumulative_pilots.sum(),
            "graded_rate": p.graded.sum() / p.cumulative_pilots.sum(),
        })
    return pd.DataFrame.from_records(records).set_index("year")


def enterprise_status() -> pd.DataFrame:
    """(locality, year, key) for every enterprise in E(L,Y) or in L's cohort, with its flags.
    name: the register's name of a registered enterprise; for an unresolved pilot, the name as
    written on its latest row up to Y in L's lists (latest year, batch, then row; docs/metrics.md)."""
    rows = pilot_rows()
    assessments = current_assessments()
    filings = latest_filings()
    register_names = {e.uscc: e.name for e in fx.ENTERPRISES.values()}
    records = []
    for locality in sorted(set(rows.locality_code) | {fx.BJ}):
        mine = rows[rows.locality_code == locality]
        for y in years():
            e = eligible(locality, y)
            upto = mine[mine.year <= y].sort_values(["year", "batch", "source_file", "row_number"])
            cohort = upto.drop_duplicates("key", keep="last").set_index("key")
            for key in sorted(e | set(cohort.index)):
                piloted = key in cohort.index
                uscc = key if not key.startswith("name:") else None

                def has(kind: str) -> bool:
                    a = assessments[(assessments.uscc == uscc) & (assessments.kind == kind)]
                    return bool((a["on"].map(lambda d: d.year) <= y).any())

                assessed = has("initial") if piloted else None
                filed = ((uscc, y) in filings.index) if piloted else None
                records.append({
                    "locality_code": locality, "year": y, "pilot_key": key, "uscc": uscc,
                    "name": register_names[uscc] if uscc in register_names else cohort.loc[key, "name"],
                    "eligible": key in e, "piloted": piloted,
                    "assessed_initial": assessed,
                    "filed": filed,
                    "graded": has("graded") if piloted else None,
                    # behind schedule: eligible but not piloted, or piloted without assessment or filing
                    "action_needed": (key in e and not piloted) or (piloted and not (assessed and filed)),
                })
    return pd.DataFrame.from_records(records).set_index(["locality_code", "year", "pilot_key"]).sort_index()
