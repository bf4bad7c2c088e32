"""A small published warehouse for the report tests: marts.* and audit.* with the columns of
metrics.md, filled with crafted, internally consistent values over the 37 localities and two years.

The values are made up here (seeded random numbers, then the ratios and summaries derived from them
the way metrics.md defines them), so the tests compare the reports with this file, never with
numbers copied from a pipeline run. Special cases: a locality with no eligible enterprise (Xizang),
one without a list in the second year (the Corps), late and undated lists, a year on time although
its latest list date is after the deadline (Tianjin 2024: an earlier batch was in time), an enterprise named
"=cmd" and quarantined values that look like spreadsheet formulas or HTML.
"""
from __future__ import annotations

import datetime as dt
import random
import statistics
from pathlib import Path

import duckdb

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
                    quarantine_locality: bool = False, status_table: bool = True) -> Path:
    """Write the warehouse file at `path`. `variant='previous'` makes the build before: other build
    id, a few localities with lower coverage (so their on_track differs) and one fewer list."""
    rng = random.Random(56005)
    con = duckdb.connect(str(path))
    con.execute("CREATE SCHEMA marts; CREATE SCHEMA audit;")
    con.execute(f"CREATE TABLE marts.dim_locality AS SELECT * FROM read_csv('{LOCALITIES_CSV}', all_varchar=true)")
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
                 non_eligible, unmatched, repeat, submitted, deadline, on_time)
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

    con.execute(
        """CREATE TABLE marts.coverage_by_locality_year (locality_code VARCHAR, locality_name VARCHAR, year INTEGER,
        eligible_base BIGINT, batch_pilots BIGINT, batch_eligible_pilots BIGINT, batch_ratio DOUBLE,
        meets_batch_target BOOLEAN, cumulative_eligible_pilots BIGINT, cumulative_coverage DOUBLE,
        target_coverage DOUBLE, on_track BOOLEAN, non_eligible_pilots BIGINT, unmatched_pilots BIGINT,
        repeat_pilots BIGINT, list_submitted_on DATE, list_deadline DATE, list_on_time BOOLEAN)"""
    )
    con.executemany(f"INSERT INTO marts.coverage_by_locality_year VALUES ({', '.join('?' * 18)})", coverage)
    con.execute(
        """CREATE TABLE marts.participation_by_locality_year (locality_code VARCHAR, year INTEGER,
        cumulative_pilots BIGINT, assessed_initial BIGINT, filed BIGINT, graded BIGINT,
        initial_assessment_rate DOUBLE, filing_rate DOUBLE, graded_rate DOUBLE)"""
    )
    con.executemany(f"INSERT INTO marts.participation_by_locality_year VALUES ({', '.join('?' * 9)})", participation)
    if national_participation:
        con.execute(
            """INSERT INTO marts.participation_by_locality_year
            SELECT '000000', year, sum(cumulative_pilots), sum(assessed_initial), sum(filed), sum(graded),
                   sum(assessed_initial) / sum(cumulative_pilots), sum(filed) / sum(cumulative_pilots),
                   sum(graded) / sum(cumulative_pilots)
            FROM marts.participation_by_locality_year GROUP BY year"""
        )
    yoy_cols = ", ".join(f"{ind}_yoy DOUBLE" for ind in indicators())
    con.execute(
        f"""CREATE TABLE marts.enterprise_improvement (uscc VARCHAR, locality_code VARCHAR, cohort_year INTEGER,
        year INTEGER, baseline_score DOUBLE, latest_score DOUBLE, score_delta DOUBLE, improved BOOLEAN,
        latest_grade INTEGER, {yoy_cols})"""
    )
    con.executemany(
        f"INSERT INTO marts.enterprise_improvement VALUES ({', '.join('?' * (9 + len(indicators())))})", improvement
    )
    con.execute("CREATE TABLE marts.dim_enterprise (uscc VARCHAR, name VARCHAR, locality_code VARCHAR)")
    con.executemany("INSERT INTO marts.dim_enterprise VALUES (?, ?, ?)", enterprises)
    con.execute(
        """CREATE TABLE marts.fct_pilot_membership AS SELECT uscc, name, locality_code, 2023 AS year, 1 AS batch,
        'given' AS match_status, false AS locality_mismatch FROM marts.dim_enterprise"""
    )
    if status_table:
        con.execute(
            """CREATE TABLE marts.enterprise_status_by_year (uscc VARCHAR, name VARCHAR, locality_code VARCHAR,
            year INTEGER, eligible BOOLEAN, piloted BOOLEAN, first_pilot_year INTEGER, assessed_initial BOOLEAN,
            filed BOOLEAN, graded BOOLEAN)"""
        )
        con.executemany(f"INSERT INTO marts.enterprise_status_by_year VALUES ({', '.join('?' * 10)})", status)

    _effectiveness(con, rng)
    con.execute(
        """CREATE TABLE marts.national_summary AS
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
    _audit(con, variant, quarantine_locality)
    con.close()
    return path


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
    con.execute(
        """CREATE TABLE marts.regional_effectiveness (locality_code VARCHAR, year INTEGER, pilots_with_delta BIGINT,
        mean_score_delta DOUBLE, median_score_delta DOUBLE, share_improved DOUBLE, filing_rate DOUBLE,
        cumulative_coverage DOUBLE, hvp_per_pilot DOUBLE, hvp_growth DOUBLE, effectiveness_index DOUBLE, rank INTEGER)"""
    )
    con.executemany(f"INSERT INTO marts.regional_effectiveness VALUES ({', '.join('?' * 12)})", rows)
    con.execute(
        """INSERT INTO marts.regional_effectiveness
        SELECT '000000', i.year, count(*), avg(score_delta), median(score_delta), avg(improved::INT),
               (SELECT filing_rate FROM marts.participation_by_locality_year p WHERE p.year = i.year AND p.locality_code = '000000'),
               (SELECT sum(cumulative_eligible_pilots) / sum(eligible_base) FROM marts.coverage_by_locality_year c WHERE c.year = i.year),
               12.5, 0.18, 55.5, NULL
        FROM marts.enterprise_improvement i GROUP BY i.year"""
    )
    con.execute("COMMENT ON COLUMN marts.regional_effectiveness.effectiveness_index IS "
                "'effectiveness_index = 40 × cumulative_coverage + 30 × filing_rate + 30 × share_improved (fixture formula)'")


def _audit(con: duckdb.DuckDBPyConnection, variant: str, quarantine_locality: bool) -> None:
    build_id = "20250110T020000-prev01" if variant == "previous" else "20250111T020000-cur002"
    run_id = "run-0041" if variant == "previous" else "run-0042"
    files = ["registers/ip_demonstration_2024.csv", "registers/little_giant_2024.xlsx",
             "pilots/310000_2023_b1_首批名单.tsv", "pilots/110000_2024_b1.csv", "pilots/440300_2024_b1.xlsx",
             "assessments/initial_2023.csv", "filings/filings_2024.csv"]
    con.execute(
        """CREATE TABLE audit.builds (build_id VARCHAR, run_id VARCHAR, started_at TIMESTAMP, finished_at TIMESTAMP,
        source_files VARCHAR[], as_of TIMESTAMP)"""
    )
    day = 10 if variant == "previous" else 11
    con.execute("INSERT INTO audit.builds VALUES (?, ?, ?, ?, ?, ?)",
                [build_id, run_id, dt.datetime(2025, 1, day, 2, 0), dt.datetime(2025, 1, day, 2, 6), files,
                 dt.datetime(2025, 1, day - 1, 23, 40)])
    con.execute(
        """CREATE TABLE audit.loads (path VARCHAR, content_hash VARCHAR, source VARCHAR, format VARCHAR,
        encoding VARCHAR, rows_read INTEGER, rows_loaded INTEGER, rows_quarantined INTEGER, status VARCHAR,
        reason VARCHAR, loaded_at TIMESTAMP)"""
    )
    loads = [(p, f"{i:064x}", p.split("/")[0], p.rsplit(".", 1)[1], None if p.endswith("xlsx") else "utf-8",
              120, 118 if i < 2 else 120, 2 if i < 2 else 0, "loaded", None, dt.datetime(2025, 1, day, 2, 1))
             for i, p in enumerate(files)]
    loads.append(("pilots/说明.docx", "f" * 64, "pilots", None, None, 0, 0, 0, "rejected",
                  "unsupported file type .docx (expected .csv, .tsv or .xlsx)", dt.datetime(2025, 1, day, 2, 1)))
    con.executemany(f"INSERT INTO audit.loads VALUES ({', '.join('?' * 11)})", loads)
    loc_col = ", locality_code VARCHAR" if quarantine_locality else ""
    con.execute(
        f"""CREATE TABLE audit.quarantine (source VARCHAR, file VARCHAR, row_number INTEGER, "column" VARCHAR,
        value VARCHAR, reason VARCHAR, raw_row JSON{loc_col})"""
    )
    quarantine = [
        ("registers", files[0], 17, "uscc", "=cmd|' /C calc'!A0", "check digit is 0, GB 32100-2015 gives 3", "{}", "110000"),
        ("registers", files[0], 42, "recognized_year", "+2023", "expected a year such as 2023", "{}", "310000"),
        ("registers", files[1], 8, "locality_code", "-999999", "unknown locality -999999", "{}", None),
        ("pilots", files[3], 5, "uscc", "@SUM(A1)", "expected 18 characters (GB 32100-2015), found 8", "{}", "110000"),
    ]
    con.executemany(f"INSERT INTO audit.quarantine VALUES ({', '.join('?' * (7 + bool(quarantine_locality)))})",
                    [q if quarantine_locality else q[:7] for q in quarantine])
    con.execute(
        """CREATE TABLE audit.check_results ("check" VARCHAR, "table" VARCHAR, severity VARCHAR, passed BOOLEAN,
        observed_value DOUBLE, threshold DOUBLE, run_id VARCHAR, checked_at TIMESTAMP, message VARCHAR, failing_sql VARCHAR)"""
    )
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
    con.executemany(f"INSERT INTO audit.check_results VALUES ({', '.join('?' * 10)})", checks)
