"""marts.pilot_effect (metrics.md "Pilot effect"): Callaway & Sant'Anna (2021) group-time effects of
piloting on the treated, with not-yet-treated enterprises as the comparison, estimated by diff-diff
per scope (national, then each locality) and outcome.

The library computes every estimate and its inference: ATT(g,t) (post cells with base g−1, pre cells
with base t−1: base_period="varying"), the aggregations (overall weighted by cohort size, event time,
cohort) and the multiplier bootstrap clustered by enterprise (999 draws, fixed seed, percentile 95 %
intervals). This module decides what is estimated (the insufficient_data rule), and adds what the
library does not report: who is in each cell (n_treated, n_comparison), the treated's baseline mean,
and the joint pre-trend test.
"""
from __future__ import annotations

import math
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from pilotdw import catalogue

NATIONAL = "000000"
MIN_ENTERPRISES = 20  # metrics.md: fewer than 20 treated or 20 comparison in every post cell → insufficient_data
N_BOOTSTRAP = 999
SEED = 56005  # fixed: a rerun on the same data gives the same numbers
ALPHA = 0.05  # 95 % pointwise intervals
ESTIMATED, INSUFFICIENT = "estimated", "insufficient_data"

# The mart's columns and their types, in order: the catalogue's marts.pilot_effect (its one statement,
# with the zh/en labels and docs; catalogue/columns.yml).
COLUMNS: dict[str, str] = {c.name: c.type for c in catalogue.table("marts.pilot_effect").columns}
AGGREGATIONS = ("overall", "event", "cohort", "cell")
# Expected, so not repeated on every run: an enterprise enters a cell only with filings in both years
# (the library's within-cell differencing), and a cell without treated or comparison enterprises has
# no estimate (it gets no row).
_EXPECTED_WARNINGS = ("Unbalanced panel detected", r"\d+ \(group, time\) cell\(s\) could not be estimated")


@dataclass(frozen=True)
class Cell:
    """One ATT(g,t) as metrics.md defines it, with the enterprises it compares (masks over the
    units of the wide panel)."""

    cohort: int
    year: int
    base: int
    treated: np.ndarray
    comparison: np.ndarray
    baseline_mean: float

    @property
    def post(self) -> bool:
        return self.year >= self.cohort

    @property
    def event_time(self) -> int:
        return self.year - self.cohort

    @property
    def n_treated(self) -> int:
        return int(self.treated.sum())

    @property
    def n_comparison(self) -> int:
        return int(self.comparison.sum())


@dataclass(frozen=True)
class Wide:
    """One outcome of one scope as a units × years matrix (NaN: no filing, or not reported)."""

    units: np.ndarray  # each row's enterprise, as its position in the outcome's panel (not its USCC:
    # a million strings per outcome made the scopes sent to the estimate's workers ~10× larger)
    cohorts: np.ndarray  # first pilot year, 0 = never piloted
    years: list[int]
    values: np.ndarray

    def column(self, year: int) -> np.ndarray:
        return self.values[:, self.years.index(year)]


def wide_panel(panel: pd.DataFrame, outcome: str) -> tuple[Wide, np.ndarray]:
    """Every enterprise with a reported value of `outcome`, one column per data year from the first
    to the last (NaN: no filing, or not reported), and each enterprise's locality."""
    data = panel.loc[panel[outcome].notna(), ["uscc", "locality_code", "data_year", "cohort_year", outcome]]
    if data.empty:
        return Wide(np.array([], dtype=np.int64), np.array([], dtype=np.int64), [], np.empty((0, 0))), np.array([], dtype=object)
    years = list(range(int(data["data_year"].min()), int(data["data_year"].max()) + 1))
    values = data.pivot(index="uscc", columns="data_year", values=outcome).reindex(columns=years)
    first = data.groupby("uscc")[["cohort_year", "locality_code"]].first().reindex(values.index)
    wide = Wide(
        units=np.arange(len(values.index), dtype=np.int64),
        cohorts=first["cohort_year"].fillna(0).astype(np.int64).to_numpy(),
        years=years,
        values=values.to_numpy(dtype=float),
    )
    return wide, first["locality_code"].to_numpy()


def scope_panel(wide: Wide, rows: np.ndarray | None = None) -> Wide:
    """The enterprises `rows` (all when None) over the unbroken run of years, ending with their
    latest, in which at least one of them reported: a cell's base is the calendar year before
    (g−1, t−1), never an earlier year standing in for a year nobody filed."""
    values = wide.values if rows is None else wide.values[rows]
    units = wide.units if rows is None else wide.units[rows]
    cohorts = wide.cohorts if rows is None else wide.cohorts[rows]
    reported = ~np.isnan(values)
    observed = [y for i, y in enumerate(wide.years) if reported[:, i].any()]
    if not observed:
        return Wide(units[:0], cohorts[:0], [], np.empty((0, 0)))
    years = [observed[-1]]
    while years[0] - 1 in observed:
        years.insert(0, years[0] - 1)
    columns = [wide.years.index(y) for y in years]
    values = values[:, columns]
    keep = ~np.isnan(values).all(axis=1)
    return Wide(units[keep], cohorts[keep], years, values[keep])


def cells(wide: Wide) -> list[Cell]:
    """Every ATT(g,t) with a base year in the panel, as metrics.md constructs it: the change
    Y(t) − Y(base) of cohort g against the enterprises not yet piloted at t (cohort > t, or never),
    each enterprise only with values in both years; base g−1 from t ≥ g on, t−1 before (placebos)."""
    out = []
    for g in sorted(set(wide.cohorts[wide.cohorts > 0].tolist())):
        for t in wide.years:
            base = g - 1 if t >= g else t - 1
            if base not in wide.years or t == base:
                continue
            both = ~np.isnan(wide.column(base)) & ~np.isnan(wide.column(t))
            treated = both & (wide.cohorts == g)
            # never piloted, or piloted after t; cohort g itself is never its own comparison (pre cells)
            comparison = both & ((wide.cohorts == 0) | (wide.cohorts > t)) & (wide.cohorts != g)
            mean = float(wide.column(base)[treated].mean()) if treated.any() else math.nan
            out.append(Cell(g, t, base, treated, comparison, mean))
    return out


def sufficient(scope_cells: list[Cell]) -> bool:
    """metrics.md: estimated unless every post cell has fewer than 20 treated or 20 comparison."""
    return any(c.post and c.n_treated >= MIN_ENTERPRISES and c.n_comparison >= MIN_ENTERPRISES for c in scope_cells)


def fit(wide: Wide):
    """diff-diff's Callaway & Sant'Anna on the long form of `wide`: not-yet-treated comparison,
    base t−1 for pre-periods ("varying"), outcome regression without covariates (a difference of
    mean changes), multiplier bootstrap with weights drawn per enterprise (the cluster)."""
    from diff_diff import CallawaySantAnna

    rows, cols = np.nonzero(~np.isnan(wide.values))
    long = pd.DataFrame({
        "unit": rows,
        "year": np.asarray(wide.years, dtype=np.int64)[cols],
        "y": wide.values[rows, cols],
        "first_treat": wide.cohorts[rows],
    })
    estimator = CallawaySantAnna(
        control_group="not_yet_treated",
        estimation_method="reg",
        base_period="varying",
        n_bootstrap=N_BOOTSTRAP,
        bootstrap_weights="rademacher",
        seed=SEED,
        cluster="unit",
        alpha=ALPHA,
        cband=False,
    )
    with warnings.catch_warnings():
        for message in _EXPECTED_WARNINGS:
            warnings.filterwarnings("ignore", message=message)
        # aggregate="all" computes the event-time and cohort aggregations inside the fit, from the
        # fit's one bootstrap: the same numbers as results.aggregate(...) afterwards, which replays
        # the bootstrap once per aggregation (measured on the demo: 5.1 → 3.7 s CPU in all). The
        # argument is deprecated for diff-diff 4.0; pyproject pins diff-diff < 4.
        warnings.filterwarnings("ignore", category=FutureWarning, message=r"CallawaySantAnna\.fit\(aggregate=")
        return estimator.fit(long, outcome="y", unit="unit", time="year", first_treat="first_treat", aggregate="all")


def _number(value) -> float | None:
    """A finite float, else None: a NaN is never written as a number."""
    if value is None:
        return None
    value = float(value)
    return value if math.isfinite(value) else None


def _union(masks: list[np.ndarray]) -> int:
    return int(np.logical_or.reduce(masks).sum()) if masks else 0


def _weighted(values: list[float], weights: list[float]) -> float | None:
    pairs = [(v, w) for v, w in zip(values, weights) if v is not None and math.isfinite(v)]
    total = sum(w for _, w in pairs)
    return sum(v * w for v, w in pairs) / total if pairs and total > 0 else None


def pre_trend_p(result, pre: list[tuple[int, int]]) -> float | None:
    """Joint Wald test that every pre-period ATT(g,t) is 0, with the covariance of the cells'
    influence functions summed per enterprise (as R did's pre-test): W = θ'V⁺θ ~ χ²(rank V).

    diff-diff reports no joint test of the cells (its diagnostics test event-time aggregates), so
    the test is done here, on the library's own per-cell influence functions, which it keeps on the
    result for re-aggregation (`_aggregation_kit.influence`, diff-diff 3.x; pinned < 4). Without
    them the p-value is NULL rather than a guess."""
    from scipy.stats import chi2

    kit = getattr(result, "_aggregation_kit", None)
    effects = result.group_time_effects
    pre = [gt for gt in pre if gt in effects and math.isfinite(effects[gt]["effect"])]
    if kit is None or not pre or any(gt not in kit.influence for gt in pre):
        return None
    n_units = len(kit.bookkeeping["all_units"])
    psi = np.zeros((n_units, len(pre)))
    for j, gt in enumerate(pre):
        info = kit.influence[gt]
        np.add.at(psi[:, j], info["treated_idx"], info["treated_inf"])
        np.add.at(psi[:, j], info["control_idx"], info["control_inf"])
    cov = psi.T @ psi
    rank = int(np.linalg.matrix_rank(cov))
    if rank == 0:
        return None
    theta = np.array([effects[gt]["effect"] for gt in pre])
    wald = float(theta @ np.linalg.pinv(cov) @ theta)
    return _number(chi2.sf(wald, rank))


def scope_rows(wide: Wide, outcome: str, scope_code: str, excluded_pilots: int) -> list[dict]:
    """All rows of one scope (its enterprises' panel of `outcome`, from scope_panel): the `overall`
    row always; event, cohort and cell rows when estimated."""
    scope_cells = cells(wide)
    post = [c for c in scope_cells if c.post]
    base = {"scope_code": scope_code, "outcome": outcome}
    if not sufficient(scope_cells):
        return [{
            **base, "aggregation": "overall",
            "n_treated": _union([c.treated for c in post]), "n_comparison": _union([c.comparison for c in post]),
            "excluded_pilots": excluded_pilots, "status": INSUFFICIENT,
        }]
    result = fit(wide)
    effects = result.group_time_effects
    estimated = [c for c in scope_cells if (c.cohort, c.year) in effects and _number(effects[(c.cohort, c.year)]["effect"]) is not None]
    size = {g: float((wide.cohorts == g).sum()) for g in set(wide.cohorts.tolist())}  # the library's cohort weights
    post_used = [c for c in estimated if c.post]

    def row(aggregation: str, members: list[Cell], weights: list[float], stats: dict, **keys) -> dict:
        return {
            **base, "aggregation": aggregation, **keys,
            "att": _number(stats["effect"]), "se": _number(stats["se"]),
            "ci_low": _number(stats["conf_int"][0]), "ci_high": _number(stats["conf_int"][1]),
            "p_value": _number(stats["p_value"]),
            "baseline_mean": _weighted([c.baseline_mean for c in members], weights),
            "n_treated": _union([c.treated for c in members]),
            "n_comparison": _union([c.comparison for c in members]),
            "status": ESTIMATED,
        }

    overall = {"effect": result.overall_att, "se": result.overall_se, "conf_int": result.overall_conf_int,
               "p_value": result.overall_p_value}
    rows = [row(
        "overall", post_used, [size[c.cohort] for c in post_used], overall,
        pre_trend_p=pre_trend_p(result, [(c.cohort, c.year) for c in estimated if not c.post]),
        excluded_pilots=excluded_pilots,
    )]
    for e, stats in sorted((result.event_study_effects or {}).items()):
        if stats.get("is_reference"):
            continue
        members = [c for c in estimated if c.event_time == int(e)]
        rows.append(row("event", members, [size[c.cohort] for c in members], stats, event_time=int(e)))
    for g, stats in sorted((result.group_effects or {}).items()):
        members = [c for c in post_used if c.cohort == int(g)]
        rows.append(row("cohort", members, [1.0] * len(members), stats, cohort_year=int(g)))
    for c in estimated:
        rows.append(row("cell", [c], [1.0], effects[(c.cohort, c.year)],
                        event_time=c.event_time, cohort_year=c.cohort, year=c.year))
    return rows


# Below this many panel rows the fits run in this process: starting worker processes (each imports
# pandas and diff-diff, ~1.5 s CPU) costs more than it saves. Measured: at 1× national scale (88 k
# rows) 5.1 s in one process against 5.6 s in two; at 40× (3.5 M rows) 79 s in two, whose workers
# spent 127 s of CPU (one process would take at least that).
PARALLEL_FROM_ROWS = 200_000


def pilot_effect(panel: pd.DataFrame, outcomes: list[str], localities: list[str], excluded: pd.DataFrame,
                 *, workers: int | None = None) -> pd.DataFrame:
    """marts.pilot_effect from the panel (intermediate.int_effect_panel), the outcomes (seed
    effect_outcomes, in order), every locality code (each gets its `overall` row per outcome) and
    the excluded pilots (intermediate.int_effect_excluded_pilots). `workers`: processes fitting
    scopes at once (default settings.estimate_workers() for a large panel, else 1); each fit has
    its own seed, so the rows are the same whatever the number."""
    excluded_by_locality = excluded.groupby("locality_code")["pilot_key"].nunique()
    identity = excluded["uscc"].where(excluded["uscc"].notna(), excluded["locality_code"] + ":" + excluded["pilot_key"])
    scopes = []
    for outcome in outcomes:
        wide, locality_of = wide_panel(panel, outcome)
        scopes.append((scope_panel(wide), outcome, NATIONAL, int(identity.nunique())))
        for code in sorted(localities):
            scopes.append((scope_panel(wide, locality_of == code), outcome, code, int(excluded_by_locality.get(code, 0))))
    if workers is None:
        from pilotdw.settings import estimate_workers

        workers = estimate_workers() if len(panel) >= PARALLEL_FROM_ROWS else 1
    # the scopes hold what the fits need: without a name here (nor in the caller, build_pilot_effect)
    # the panel is freed before the fits (~1 GB at 40×)
    del panel
    wide = locality_of = None
    rows = []
    for part in _map_scopes(scopes, workers):
        rows += part
    return as_frame(rows)


def _rows_of_scopes(scopes: list[tuple]) -> list[list[dict]]:
    return [scope_rows(*args) for args in scopes]


def _map_scopes(scopes: list[tuple], workers: int) -> list[list[dict]]:
    """scope_rows of every scope, in order: in this process, or in `workers` spawned processes that
    die with this one and keep freed memory for reuse (settings.children.estimate_worker).

    The national scopes (one per outcome, every enterprise: ~2 GB each at 40× national scale) are
    fitted one after another by the first worker, the localities' by the others (the first too when
    there is only one other): two national fits at once would double the step's peak memory."""
    if workers <= 1 or len(scopes) < 2:
        return [scope_rows(*args) for args in scopes]
    import multiprocessing
    import os
    from concurrent.futures import ProcessPoolExecutor

    from pilotdw.settings.children import estimate_worker

    national = [i for i, args in enumerate(scopes) if args[2] == NATIONAL]
    local = [i for i, args in enumerate(scopes) if args[2] != NATIONAL]
    bins = [national] + [local[k::workers - 1] for k in range(workers - 1)]
    out: list[list[dict] | None] = [None] * len(scopes)
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=estimate_worker, initargs=(os.getpid(),)) as pool:
        futures = [(b, pool.submit(_rows_of_scopes, [scopes[i] for i in b])) for b in bins if b]
        for b, future in futures:
            for i, rows in zip(b, future.result()):
                out[i] = rows
    return out


def as_frame(rows: list[dict]) -> pd.DataFrame:
    """The rows with the mart's columns, in order and with nullable types (a NULL stays NULL)."""
    frame = pd.DataFrame(rows, columns=list(COLUMNS))
    for column, sql_type in COLUMNS.items():
        if sql_type == "INTEGER":
            frame[column] = frame[column].astype("Int32")
        elif sql_type == "DOUBLE":
            frame[column] = frame[column].astype("Float64")
        else:
            frame[column] = frame[column].astype("string")
    order = {a: i for i, a in enumerate(AGGREGATIONS)}
    frame["_order"] = frame["aggregation"].map(order)
    frame = frame.sort_values(["scope_code", "outcome", "_order", "event_time", "cohort_year", "year"], kind="stable", na_position="first")
    return frame.drop(columns="_order").reset_index(drop=True)
