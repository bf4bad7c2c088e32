"""Panels for the estimation tests, generated with a known truth: enterprise and year effects
(parallel trends), noise, and a planted effect of piloting per outcome, cohort and year."""
from __future__ import annotations

from typing import Callable

import numpy as np
import pandas as pd

YEARS = (2020, 2021, 2022, 2023, 2024, 2025)
OUTCOMES = ("invention_applications", "rd_expense")
Effect = Callable[[int, int], float]  # (cohort g, year t) -> effect at t >= g


def panel(
    sizes: dict[int, int],
    effects: dict[str, Effect],
    *,
    seed: int = 7,
    years: tuple[int, ...] = YEARS,
    locality: str = "310000",
    gap_rate: float = 0.0,
    noise: float = 1.0,
    pre_trend: float = 0.0,
) -> pd.DataFrame:
    """int_effect_panel's shape: uscc, locality_code, data_year, cohort_year (NA = never), outcomes.
    sizes: enterprises per cohort (0 = never piloted). gap_rate: share of enterprise-years without a
    filing. pre_trend: extra yearly growth of piloted enterprises before their pilot year (breaks
    parallel trends)."""
    rng = np.random.default_rng(seed)
    rows = []
    year_effect = {y: 0.7 * (y - years[0]) + rng.normal(0, 0.3) for y in years}
    for g, n in sizes.items():
        for i in range(n):
            uscc = f"{locality[:2]}{g}{i:06d}"
            level = rng.normal(20, 5)
            for t in years:
                if rng.random() < gap_rate:
                    continue
                row = {"uscc": uscc, "locality_code": locality, "data_year": t, "cohort_year": g or None}
                for outcome, effect in effects.items():
                    value = level + year_effect[t] + rng.normal(0, noise)
                    if g and t >= g:
                        value += effect(g, t)
                    if g and t < g:
                        value += pre_trend * (t - years[0])
                    row[outcome] = value
                rows.append(row)
    frame = pd.DataFrame(rows)
    frame["cohort_year"] = frame["cohort_year"].astype("Int64")
    return frame


def constant(delta: float) -> Effect:
    return lambda g, t: delta


def att_gt_by_hand(frame: pd.DataFrame, outcome: str) -> dict[tuple[int, int], dict]:
    """Every ATT(g,t) of metrics.md computed directly: the mean change Y(t) − Y(base) of cohort g
    minus that of the enterprises not yet piloted at t (cohort > t or never, never g itself), each
    enterprise only with values in both years; base g−1 for t ≥ g, t−1 before."""
    data = frame.dropna(subset=[outcome])
    values = data.pivot(index="uscc", columns="data_year", values=outcome)
    cohort = data.groupby("uscc")["cohort_year"].first().reindex(values.index).fillna(0).astype(int)
    out = {}
    for g in sorted(c for c in cohort.unique() if c > 0):
        for t in values.columns:
            base = g - 1 if t >= g else t - 1
            if base not in values.columns:
                continue
            change = values[t] - values[base]
            ok = change.notna()
            treated = ok & (cohort == g)
            comparison = ok & ((cohort == 0) | (cohort > t)) & (cohort != g)
            if not treated.any() or not comparison.any():
                continue
            out[(int(g), int(t))] = {
                "att": change[treated].mean() - change[comparison].mean(),
                "n_treated": int(treated.sum()),
                "n_comparison": int(comparison.sum()),
                "baseline_mean": values[base][treated].mean(),
            }
    return out
