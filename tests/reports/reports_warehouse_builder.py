"""A small published warehouse for the report tests: marts.* and audit.* created from the catalogue's
DDL (catalogue.create_table_sql: the columns and types of the real tables, never a hand-written copy),
filled with crafted, internally consistent values over the 37 localities and two years. Columns a
test does not fill stay NULL.

The values are made up here (seeded random numbers, then the ratios and summaries derived from them
the way metrics.md defines them), so the tests compare the reports with this file, never with
numbers copied from a pipeline run. Special cases: a locality with no eligible enterprise (Xizang),
one without a list in the second year (the Corps), late and undated lists, a year on time although
its latest list date is after the deadline (Tianjin 2024: an earlier batch was in time), an enterprise named
"=cmd" and quarantined values that look like spreadsheet formulas or HTML.
"""
from __future__ import annotations

import datetime as dt
import functools
import random
import statistics
from pathlib import Path

import duckdb

from pilotdw.catalogue import create_table_sql
from pilotdw.settings import LOCALITIES_CSV, indicators

YEARS = (2023, 2024)
P0, P1 = 2023, 2025
NO_BASE = "540000"  # no eligible enterprise in either year
NO_LIST_2024 = "660000"  # no list in 2024
SECOND_BATCH_LATE = "120000"  # 2024: latest list date after the deadline, yet on time (an earlier batch was)
IMPROVING = ("110000", "310000", "320000", "330000", "440000", "440300", "370200", "510000", "610000", "650000")
INJECTION_NAME = "=cmd|' /C calc'!A0"


def _target(year: int) -> float:
    return min(1.0, (year - P0 + 1) / (P1 - P0 + 1))


def _uscc(code: str, k: int) -> str:
    return f"91{code}{k:09d}X"


def build_warehouse(path: Path, *, variant: str = "current", national_participation: bool = True,
                    quarantine_locality: bool = False, status_table: bool = True, pilot_effect: bool = True) -> Path:
    """Write the warehouse file at `path`. `variant='previous'` makes the build before: other build
    id, a few localities with lower coverage (so their on_track differs) and one fewer list."""
    rng = random.Random(56005)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA audit;")
    con.execute(create_table_sql("marts.dim_locality"))
    con.execute(f"""INSERT INTO marts.dim_locality BY NAME SELECT locality_code, locality_name, locality_name_en,
        parent_code, kind AS locality_kind FROM read_csv('{LOCALITIES_CSV}', all_varchar=true)""")
    locs = con.execute("SELECT locality_code, locality_name FROM marts.dim_locality ORDER BY locality_code").fetchall()

    coverage, participation, improvement, status, enterprises = [], [], [], [], []
    cum_eligible: dict[str, int] = {}
    cum_pilots: dict[str, int] = {}
    base_prev: dict[str, int] = {}
    for year in YEARS:
        for code, name in locs:
            base = 0 if code == NO_BASE else base_prev.get(code, rng.randint(30, 420)) + (rng.randint(0, 25) if year > P0 else 0)
            base_prev[code] = base
            no_list = year == 2024 and code == NO_LIST_2024
            batch_eligible = 0 if no_list or not base else round(base * rng.uniform(0.12, 0.52))
            non_eligible = 0 if no_list else rng.randint(0, 9)
            unmatched = min(non_eligible, rng.randint(0, 3))
            repeat = 0 if year == P0 or no_list else rng.randint(0, 4)
            batch = batch_eligible + non_eligible
            cum = min(base, cum_eligible.get(code, 0) + batch_eligible)
            if variant == "previous" and year == 2024 and code in ("110000", "320000", "440300"):
                cum = max(0, cum - round(base * 0.2))  # the earlier build had fewer of this year's lists
            cum_eligible[code] = cum
            cum_pilots[code] = cum_pilots.get(code, 0) + batch - repeat
            ratio = batch_eligible / base if base else None
            coverage_v = cum / base if base else None
            # the mart's list_deadline and list_on_time (crafted here, as dbt defines them)
            deadline = dt.date(year, 6, 30) if year == P0 else dt.date(year, 3, 31)
            if no_list or (year == 2024 and code == "630000"):
                submitted = None  # no list at all / a list without a date
            else:
                submitted = deadline + dt.timedelta(days=rng.randint(-70, 20))
            on_time = None if no_list else (submitted is None or submitted <= deadline)
            if year == 2024 and code == SECOND_BATCH_LATE:
                # a first batch in time, a second one after the deadline: on time by the mart's rule
                submitted, on_time = deadline + dt.timedelta(days=12), True
            coverage.append(
                (code, name, year, base, batch, batch_eligible, ratio, None if ratio is None else ratio >= 1 / 3,
                 cum, coverage_v, _target(year), None if coverage_v is None else coverage_v >= _target(year),
                 non_eligible, unmatched, repeat, submitted, deadline, on_time,
                 coverage_v is not None and coverage_v < _target(year))  # behind_schedule
            )
            cp = cum_pilots[code]
            assessed, filed, graded = round(cp * rng.uniform(0.55, 1)), round(cp * rng.uniform(0.5, 1)), round(cp * rng.uniform(0, 0.4))
            participation.append((code, year, cp, assessed, filed, graded,
                                  assessed / cp if cp else None, filed / cp if cp else None, graded / cp if cp else None))

    for code in IMPROVING:
        for k in range(rng.randint(5, 12)):
            uscc = _uscc(code, k)
            name = INJECTION_NAME if (code, k) == ("110000", 0) else f"测试企业{code[:2]}-{k:02d}有限公司"
            enterprises.append((uscc, name, code))
            baseline = round(rng.uniform(38, 72), 1)
            latest = baseline
            for year in YEARS:
                latest = round(min(100.0, max(0.0, latest + rng.uniform(-6, 14))), 1)
                delta = round(latest - baseline, 1)
                grade = rng.choice([None, 1, 2, 2, 3, 3, 4, 5]) if year == 2024 else rng.choice([None, None, 1, 2, 3])
                yoy = {ind: (None if year == P0 else round(rng.uniform(-0.2, 0.6), 4)) for ind in indicators()}
                improvement.append((uscc, code, P0, year, baseline, latest, delta, delta > 0, grade, *yoy.values()))
                status.append((uscc, name, code, year, k % 4 != 3, k % 4 != 3, None if k % 4 == 3 else P0,
                               k % 3 != 0, k % 5 != 0, grade is not None))
        for year in YEARS:  # an eligible enterprise nobody has piloted yet
            status.append((_uscc(code, 99), f"未试点企业{code}", code, year, True, False, None, False, False, False))

    _insert(con, "marts.coverage_by_locality_year", (
        "locality_code", "locality_name", "year", "eligible_base", "batch_pilots", "batch_eligible_pilots",
        "batch_ratio", "meets_batch_target", "cumulative_eligible_pilots", "cumulative_coverage", "target_coverage",
        "on_track", "non_eligible_pilots", "unmatched_pilots", "repeat_pilots", "list_submitted_on",
        "list_deadline", "list_on_time", "behind_schedule"), coverage)
    _insert(con, "marts.participation_by_locality_year", (
        "locality_code", "year", "cumulative_pilots", "assessed_initial", "filed", "graded",
        "initial_assessment_rate", "filing_rate", "graded_rate"), participation)
    if national_participation:
        con.execute(
            """INSERT INTO marts.participation_by_locality_year BY NAME
            SELECT '000000' AS locality_code, year, sum(cumulative_pilots) AS cumulative_pilots,
                   sum(assessed_initial) AS assessed_initial, sum(filed) AS filed, sum(graded) AS graded,
                   sum(assessed_initial) / sum(cumulative_pilots) AS initial_assessment_rate,
                   sum(filed) / sum(cumulative_pilots) AS filing_rate, sum(graded) / sum(cumulative_pilots) AS graded_rate
            FROM marts.participation_by_locality_year GROUP BY year"""
        )
    _insert(con, "marts.enterprise_improvement", (
        "uscc", "locality_code", "cohort_year", "year", "baseline_score", "latest_score", "score_delta", "improved",
        "latest_grade", *(f"{ind}_yoy" for ind in indicators())), improvement)
    _insert(con, "marts.dim_enterprise", ("uscc", "enterprise_name", "locality_code"), enterprises)
    con.execute(create_table_sql("marts.fct_pilot_membership"))
    con.execute(
        """INSERT INTO marts.fct_pilot_membership BY NAME SELECT uscc, enterprise_name AS pilot_name, locality_code,
        2023 AS year, 1 AS batch, 'given' AS match_status, false AS locality_mismatch FROM marts.dim_enterprise"""
    )
    if status_table:
        _insert(con, "marts.enterprise_status_by_year", (
            "uscc", "name", "locality_code", "year", "eligible", "piloted", "first_pilot_year", "assessed_initial",
            "filed", "graded"), status)
        # the mart's rule (enterprise_status_by_year.sql), for the crafted rows
        con.execute("""UPDATE marts.enterprise_status_by_year SET action_needed = (eligible AND NOT piloted)
            OR (piloted AND (NOT coalesce(assessed_initial, false) OR NOT coalesce(filed, false)))""")

    _effectiveness(con, rng)
    if pilot_effect:
        _pilot_effect(con)
    con.execute(create_table_sql("marts.national_summary"))
    con.execute(
        """INSERT INTO marts.national_summary BY NAME
        SELECT c.year,
               count(*) FILTER (WHERE c.batch_pilots > 0) AS localities_with_lists,
               sum(c.eligible_base) AS eligible_base, sum(c.batch_pilots) AS batch_pilots,
               sum(c.cumulative_eligible_pilots) AS cumulative_eligible_pilots,
               sum(c.cumulative_eligible_pilots) / sum(c.eligible_base) AS cumulative_coverage,
               count(*) FILTER (WHERE c.on_track) AS localities_on_track,
               count(*) FILTER (WHERE c.meets_batch_target) AS localities_meeting_batch_target,
               (SELECT sum(filed) / sum(cumulative_pilots) FROM marts.participation_by_locality_year p
                WHERE p.year = c.year AND p.locality_code <> '000000') AS filing_rate,
               any_value(e.mean_score_delta) AS mean_score_delta, any_value(e.share_improved) AS share_improved
        FROM marts.coverage_by_locality_year c
        LEFT JOIN marts.regional_effectiveness e ON e.year = c.year AND e.locality_code = '000000'
        GROUP BY c.year ORDER BY c.year"""
    )
    _audit(con, variant, quarantine_locality, effect_gates=pilot_effect and variant == "current")
    con.close()
    return path


def _insert(con: duckdb.DuckDBPyConnection, table: str, columns: tuple[str, ...], rows: list) -> None:
    """Create `table` from the catalogue and insert `rows` into the named columns (the rest stay NULL)."""
    con.execute(create_table_sql(table))
    quoted = ", ".join(f'"{c}"' for c in columns)
    con.executemany(f"INSERT INTO {table} ({quoted}) VALUES ({', '.join('?' * len(columns))})", rows)


def _effectiveness(con: duckdb.DuckDBPyConnection, rng: random.Random) -> None:
    rows = []
    cov = {(c, y): (v, f) for c, y, v, f in con.execute(
        """SELECT c.locality_code, c.year, c.cumulative_coverage, p.filing_rate FROM marts.coverage_by_locality_year c
        JOIN marts.participation_by_locality_year p USING (locality_code, year)""").fetchall()}
    deltas = {}
    for code, year, delta in con.execute("SELECT locality_code, year, score_delta FROM marts.enterprise_improvement").fetchall():
        deltas.setdefault((code, year), []).append(delta)
    for (code, year), (coverage, filing) in sorted(cov.items()):
        d = deltas.get((code, year), [])
        share = sum(1 for x in d if x > 0) / len(d) if d else None
        index = None if coverage is None else round(
            40 * coverage + 30 * (filing or 0) + 30 * (share if share is not None else 0), 2)
        rows.append([code, year, len(d), statistics.fmean(d) if d else None, statistics.median(d) if d else None,
                     share, filing, coverage, round(rng.uniform(1, 25), 2) if d else None,
                     round(rng.uniform(-0.1, 0.45), 4) if d else None, index])
    for year in (2023, 2024):
        ranked = sorted((r for r in rows if r[1] == year and r[10] is not None), key=lambda r: -r[10])
        for i, r in enumerate(ranked, start=1):
            r.append(i)
    rows = [r if len(r) == 12 else r + [None] for r in rows]
    _insert(con, "marts.regional_effectiveness", (
        "locality_code", "year", "pilots_with_delta", "mean_score_delta", "median_score_delta", "share_improved",
        "filing_rate", "cumulative_coverage", "hvp_per_pilot", "hvp_growth", "effectiveness_index", "rank"), rows)
    con.execute(
        """INSERT INTO marts.regional_effectiveness BY NAME
        SELECT '000000' AS locality_code, i.year, count(*) AS pilots_with_delta, avg(score_delta) AS mean_score_delta,
               median(score_delta) AS median_score_delta, avg(improved::INT) AS share_improved,
               (SELECT filing_rate FROM marts.participation_by_locality_year p WHERE p.year = i.year AND p.locality_code = '000000') AS filing_rate,
               (SELECT sum(cumulative_eligible_pilots) / sum(eligible_base) FROM marts.coverage_by_locality_year c WHERE c.year = i.year) AS cumulative_coverage,
               12.5 AS hvp_per_pilot, 0.18 AS hvp_growth, 55.5 AS effectiveness_index
        FROM marts.enterprise_improvement i GROUP BY i.year"""
    )
    # metrics.md "Policy notes": fewer than 10 score changes is a small sample (310000 has 5, 370200 has 10)
    con.execute("UPDATE marts.regional_effectiveness SET small_sample = pilots_with_delta < 10")


# marts.pilot_effect is computed by the estimation itself (evaluation.effect) on a panel generated
# here with a planted truth per outcome: a constant effect on invention applications (+3 件 from the
# pilot year on), none on high-value patents, pilots' R&D already growing faster before piloting (a
# pre-trend: the parallel-trends gate must warn), a negative effect on patent-product revenue.
# Beijing and Shanghai have enough enterprises to be estimated; the others show each reason for
# insufficient data.
EFFECT_OUTCOMES = [
    ("invention_applications", "发明专利申请量", "Invention patent applications", "件"),
    ("high_value_invention_patents", "高价值发明专利拥有量", "High-value invention patents held", "件"),
    ("rd_expense", "研发投入", "R&D expenditure", "万元"),
    ("patent_product_revenue", "专利产品销售收入", "Patent-product sales revenue", "万元"),
]
PLANTED = {"invention_applications": 3.0, "high_value_invention_patents": 0.0, "patent_product_revenue": -40.0}
PRE_TREND_OUTCOME, PRE_TREND_SLOPE = "rd_expense", 25.0  # pilots' extra growth per year, before and after
EFFECT_YEARS = (2020, 2021, 2022, 2023, 2024)
# locality → enterprises (cohort 2023, cohort 2024, never piloted); the rest get a few at random
EFFECT_SIZES = {
    "110000": (70, 60, 140), "310000": (60, 50, 120),
    "540000": (0, 0, 0),  # no pilot, no comparison
    "660000": (8, 0, 0),  # pilots but no comparison enterprise
    "630000": (3, 1, 8),  # too few on both sides
    "650000": (12, 13, 28),  # 25 pilots in all, but no single year with 20
}
EXCLUDED_PILOTS = {"110000": 3, "440300": 2}


def effect_panel():
    """The generated panel (the columns of intermediate.int_effect_panel) and the excluded pilots."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(56005)
    rows = []
    from pilotdw.settings import localities

    for loc in localities():
        sizes = EFFECT_SIZES.get(loc.code)
        if sizes is None:
            sizes = (int(rng.integers(1, 8)), int(rng.integers(1, 8)), int(rng.integers(20, 60)))
        for cohort, n in zip((2023, 2024, None), sizes):
            for k in range(n):
                uscc = f"{loc.code}{cohort or 0}{k:06d}"
                level = {o: rng.gamma(2.0, s) for o, s in (("invention_applications", 6), ("high_value_invention_patents", 3),
                                                           ("rd_expense", 150), ("patent_product_revenue", 800))}
                for year in EFFECT_YEARS:
                    if rng.random() < 0.04:
                        continue  # a year not filed: the enterprise leaves the cells using it
                    row = {"uscc": uscc, "locality_code": loc.code, "data_year": year, "cohort_year": cohort}
                    for outcome, base in level.items():
                        trend = {"invention_applications": 1.0, "high_value_invention_patents": 0.5,
                                 "rd_expense": 20.0, "patent_product_revenue": 60.0}[outcome] * (year - 2020)
                        value = base + trend + rng.normal(0, 0.05 * base + 1)
                        if cohort is not None:
                            if outcome == PRE_TREND_OUTCOME:
                                value += PRE_TREND_SLOPE * (year - 2020)
                            elif year >= cohort:
                                value += PLANTED[outcome]
                        row[outcome] = max(0.0, round(value, 2))
                    rows.append(row)
    panel = pd.DataFrame(rows)
    panel["cohort_year"] = panel["cohort_year"].astype("Int64")
    excluded = pd.DataFrame(
        [{"locality_code": code, "pilot_key": f"x{i}", "uscc": f"9{code}EXCL{i:05d}"}
         for code, n in EXCLUDED_PILOTS.items() for i in range(n)],
        columns=["locality_code", "pilot_key", "uscc"],
    )
    return panel, excluded


@functools.lru_cache(maxsize=1)
def _estimated():
    """marts.pilot_effect of the generated panel, by the estimation (once per test process)."""
    from pilotdw.evaluation.effect import pilot_effect
    from pilotdw.settings import localities

    panel, excluded = effect_panel()
    return pilot_effect(panel, [o for o, *_ in EFFECT_OUTCOMES], [loc.code for loc in localities()], excluded)


def _pilot_effect(con: duckdb.DuckDBPyConnection) -> None:
    from pilotdw.evaluation.warehouse import write_pilot_effect

    con.execute("CREATE SCHEMA IF NOT EXISTS seeds; "
                "CREATE TABLE seeds.effect_outcomes (outcome VARCHAR, name_zh VARCHAR, name_en VARCHAR, unit VARCHAR)")
    con.executemany("INSERT INTO seeds.effect_outcomes VALUES (?, ?, ?, ?)", EFFECT_OUTCOMES)
    write_pilot_effect(con, _estimated())


def _audit(con: duckdb.DuckDBPyConnection, variant: str, quarantine_locality: bool, effect_gates: bool) -> None:
    build_id = "20250110T020000-prev01" if variant == "previous" else "20250111T020000-cur002"
    run_id = "run-0041" if variant == "previous" else "run-0042"
    files = ["registers/ip_demonstration_2024.csv", "registers/little_giant_2024.xlsx",
             "pilots/310000_2023_b1_首批名单.tsv", "pilots/110000_2024_b1.csv", "pilots/440300_2024_b1.xlsx",
             "assessments/initial_2023.csv", "filings/filings_2024.csv"]
    day = 10 if variant == "previous" else 11
    _insert(con, "audit.builds", ("build_id", "run_id", "started_at", "finished_at", "source_files", "as_of"),
            [(build_id, run_id, dt.datetime(2025, 1, day, 2, 0), dt.datetime(2025, 1, day, 2, 6), files,
              dt.datetime(2025, 1, day - 1, 23, 40))])
    loads = [(p, f"{i:064x}", p.split("/")[0], p.rsplit(".", 1)[1], None if p.endswith("xlsx") else "utf-8",
              120, 118 if i < 2 else 120, 2 if i < 2 else 0, "loaded", None, dt.datetime(2025, 1, day, 2, 1))
             for i, p in enumerate(files)]
    loads.append(("pilots/说明.docx", "f" * 64, "pilots", None, None, 0, 0, 0, "rejected",
                  "unsupported file type .docx (expected .csv, .tsv or .xlsx)", dt.datetime(2025, 1, day, 2, 1)))
    _insert(con, "audit.loads", ("path", "content_hash", "source", "format", "encoding", "rows_read", "rows_loaded",
                                 "rows_quarantined", "status", "reason", "loaded_at"), loads)
    quarantine = [
        ("registers", files[0], 17, "uscc", "=cmd|' /C calc'!A0", "check digit is 0, GB 32100-2015 gives 3", "{}", "110000"),
        ("registers", files[0], 42, "recognized_year", "+2023", "expected a year such as 2023", "{}", "310000"),
        ("registers", files[1], 8, "locality_code", "-999999", "unknown locality -999999", "{}", None),
        ("pilots", files[3], 5, "uscc", "@SUM(A1)", "expected 18 characters (GB 32100-2015), found 8", "{}", "110000"),
    ]
    _insert(con, "audit.quarantine", ("source", "file", "file_hash", "row_number", "column", "value", "reason",
                                      "raw_row", "locality_code"),
            [(q[0], q[1], f"hash-{q[1]}", *q[2:]) for q in quarantine])
    if not quarantine_locality:  # a warehouse built before audit.quarantine had the column
        con.execute("ALTER TABLE audit.quarantine DROP COLUMN locality_code")
    at = dt.datetime(2025, 1, day, 2, 5)
    checks = [
        ("no_rejected_files", "audit.loads", "block", False, 1.0, 0.0, "run-0040", at - dt.timedelta(days=2),
         "old run: must not be shown", "SELECT 1"),
        ("no_rejected_files", "audit.loads", "block", True, 0.0, 0.0, run_id, at, None, None),
        ("unique_keys", "marts.coverage_by_locality_year", "block", True, 0.0, 0.0, run_id, at, None, None),
        ("ratios_in_unit_interval", "marts.coverage_by_locality_year", "block", True, 0.0, 0.0, run_id, at, None, None),
        ("quarantine_rate", "audit.quarantine", "block", True, 0.0167, 0.02, run_id, at, None, None),
        ("unmatched_pilot_share", "marts.coverage_by_locality_year", "warn", False, 0.083, 0.05, run_id, at,
         "上海市 2023: 8.3% of the list unmatched <b>(hospitals, institutes)</b>",
         "SELECT * FROM marts.coverage_by_locality_year WHERE unmatched_pilots > 0.05 * batch_pilots"),
        ("list_by_deadline", "marts.coverage_by_locality_year", "warn", False, 1.0, 0.0, run_id, at,
         "新疆生产建设兵团 2024: no list by 2024-03-31", "SELECT 1"),
    ]
    _insert(con, "audit.check_results", ("check", "table", "severity", "passed", "observed_value", "threshold",
                                         "run_id", "checked_at", "message", "failing_sql"), checks)
    if effect_gates:
        # the pilot-effect gates of thresholds.yml, run by the gate machinery on this warehouse
        from pilotdw.expectations.checks import check_specs
        from pilotdw.expectations.gates import run_checks

        gates = [spec.name for spec in check_specs() if spec.table == "marts.pilot_effect"]
        assert gates, "thresholds.yml has no gate on marts.pilot_effect"
        run_checks(con, run_id, as_of=dt.date(2025, 1, day), names=gates)
