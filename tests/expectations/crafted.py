"""A small, hand-made build database that passes every gate: raw and audit tables from
sources/raw_schema.sql, a staging registers table, and mart tables with the metrics.md columns.

Tests start from `build_clean_warehouse(path)` and break one thing with plain SQL. Reusable by
other test rooms (`from tests.expectations.crafted import build_clean_warehouse`): no dbt, no files.

Crafted facts the gate tests rely on (all chosen here, none copied from pipeline output):
- every one of the 37 localities has one pilot list per year 2023-2025, submitted on time;
- every coverage row: eligible_base 30, batch_pilots 11 of which 0 unmatched; a list submitted
  before its list_deadline (30 June 2023, 31 March later), so list_on_time TRUE;
- filing_rate 0.9 everywhere; every yoy 0.1; scores 60-80; no locality flag or mismatch;
- audit.loads: one loaded file per source, 1 quarantined row of 112 pilot rows (< 2 %).
"""
from __future__ import annotations

from pathlib import Path

import duckdb

from pilotdw import settings
YEARS = (2023, 2024, 2025)
SHANGHAI = "310000"
SHENZHEN = "440300"


def build_clean_warehouse(path: str | Path) -> duckdb.DuckDBPyConnection:
    """Create the crafted database at `path` and return an open read-write connection to it."""
    con = duckdb.connect(str(path))
    con.execute(settings.RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
    con.execute("CREATE SCHEMA IF NOT EXISTS staging; CREATE SCHEMA IF NOT EXISTS marts;")
    _localities_table(con)
    _raw(con)
    _audit(con)
    # The columns of dbt's stg_raw__registers that the gates read, under its names.
    con.execute(
        "CREATE TABLE staging.stg_raw__registers AS SELECT uscc, name AS enterprise_name, name_key, qualification, "
        "recognized_year, revoked_year, locality_code, locality_code_derived, "
        "locality_flag AS locality_disagrees_with_uscc, source_file, row_number AS source_row_number "
        "FROM raw.registers WHERE superseded_by IS NULL"
    )
    _marts(con)
    return con


def fake_uscc(locality_code: str, serial: int) -> str:
    """An 18-character code with the locality's prefix (the gates do not verify check digits)."""
    return f"91{locality_code}{serial:09d}X"[:18]


def _localities_table(con) -> None:
    rows = [(l.code, l.name, l.name_en, l.parent_code, l.kind) for l in settings.localities()]
    con.execute(
        "CREATE TABLE marts.dim_locality (locality_code VARCHAR, locality_name VARCHAR, "
        "locality_name_en VARCHAR, parent_code VARCHAR, kind VARCHAR)"
    )
    con.executemany("INSERT INTO marts.dim_locality VALUES (?, ?, ?, ?, ?)", rows)


# Provenance columns of every raw table, as SELECT items (INSERT … BY NAME: columns that
# raw_schema.sql may add later stay NULL instead of breaking the builder).
_PROVENANCE = (
    "'{file}' AS source_file, 'hash-{file}' AS file_hash, {row} AS row_number, "
    "TIMESTAMP '2025-01-01 00:00:00' AS file_mtime, TIMESTAMP '2026-01-01 00:00:00' AS loaded_at"
)


def _raw(con) -> None:
    # 30 Shanghai enterprises recognised in 2021, none revoked.
    for i in range(30):
        con.execute(
            "INSERT INTO raw.registers BY NAME SELECT ? AS uscc, ? AS name, ? AS name_key, "
            "'ip_advantage' AS qualification, 2021 AS recognized_year, ? AS locality_code, "
            "? AS locality_code_derived, FALSE AS locality_flag, "
            + _PROVENANCE.format(file="registers/national.csv", row=i + 2),
            [fake_uscc(SHANGHAI, i), f"上海企业{i}", f"上海企业{i}", SHANGHAI, SHANGHAI],
        )
    # One pilot row per locality and year, submitted before the deadline.
    con.execute(
        f"""
        INSERT INTO raw.pilots BY NAME
        SELECT '企业' || l.locality_code || '_' || y AS name, '企业' || l.locality_code || '_' || y AS name_key,
               1 AS seq, ['示范企业'] AS category, l.locality_code, y AS year, 1 AS batch,
               CASE WHEN y = 2023 THEN DATE '2023-06-01' ELSE make_date(y, 3, 1) END AS submitted_on,
               'pilots/' || l.locality_code || '_' || y || '_b1.tsv' AS source_file,
               'hash-' || l.locality_code || y AS file_hash, 2 AS row_number,
               TIMESTAMP '2025-01-01 00:00:00' AS file_mtime, TIMESTAMP '2026-01-01 00:00:00' AS loaded_at
        FROM marts.dim_locality AS l CROSS JOIN (SELECT unnest({list(YEARS)}) AS y)
        """
    )
    for i, (kind, score) in enumerate([("initial", 60.0), ("annual", 70.0), ("graded", 80.0)]):
        con.execute(
            "INSERT INTO raw.assessments BY NAME SELECT ? AS uscc, ? AS kind, DATE '2024-06-01' AS assessed_on, "
            "? AS total_score, 50 AS foundation_score, 60 AS strategy_score, 70 AS process_score, "
            "80 AS results_score, ? AS grade, '评价机构' AS evaluator, "
            + _PROVENANCE.format(file="assessments/a.csv", row=i + 2),
            [fake_uscc(SHANGHAI, 0), kind, score, 3 if kind == "graded" else None],
        )
    indicators = settings.indicators()
    for i, year in enumerate((2023, 2024)):
        values = ", ".join(f"{10.0 * (1 + 0.1 * i)} AS {name}" for name in indicators)
        con.execute(
            f"INSERT INTO raw.filings BY NAME SELECT ? AS uscc, ? AS year, DATE '2025-03-01' AS submitted_on, {values}, "
            + _PROVENANCE.format(file="filings/f.csv", row=i + 2),
            [fake_uscc(SHANGHAI, 0), year],
        )


def _audit(con) -> None:
    loads = [
        ("registers/national.csv", "registers", 30, 30, 0, "loaded"),
        ("pilots/all.tsv", "pilots", 112, 111, 1, "loaded"),
        ("assessments/a.csv", "assessments", 3, 3, 0, "loaded"),
        ("filings/f.csv", "filings", 2, 2, 0, "loaded"),
        ("filings/f_copy.csv", "filings", 0, 0, 0, "duplicate"),
    ]
    for path, source, read, loaded, quarantined, status in loads:
        con.execute(
            "INSERT INTO audit.loads BY NAME SELECT ? AS path, ? AS content_hash, ? AS source, 'csv' AS format, "
            "'utf-8' AS encoding, ? AS rows_read, ? AS rows_loaded, ? AS rows_quarantined, ? AS status, "
            "TIMESTAMP '2026-01-01 00:00:00' AS loaded_at",
            [path, f"hash-{path}", source, read, loaded, quarantined, status],
        )
    con.execute(
        "INSERT INTO audit.quarantine BY NAME SELECT 'pilots' AS source, 'pilots/all.tsv' AS file, "
        "'hash-pilots/all.tsv' AS file_hash, 7 AS row_number, 'year' AS \"column\", '二〇二三' AS value, "
        "'year is not a year' AS reason, '{\"年度\": \"二〇二三\"}' AS raw_row"
    )


def _marts(con) -> None:
    years = list(YEARS)
    p0, p1 = settings.P0, settings.P1
    con.execute(
        f"""
        CREATE TABLE marts.coverage_by_locality_year AS
        SELECT l.locality_code, l.locality_name, y AS year,
               30::BIGINT AS eligible_base, 11::BIGINT AS batch_pilots, 10::BIGINT AS batch_eligible_pilots,
               10 / 30 AS batch_ratio, TRUE AS meets_batch_target,
               (10 * (y - {p0} + 1))::BIGINT AS cumulative_eligible_pilots,
               10 * (y - {p0} + 1) / 30 AS cumulative_coverage,
               least(1, (y - {p0} + 1) / ({p1} - {p0} + 1)) AS target_coverage,
               TRUE AS on_track, 1::BIGINT AS non_eligible_pilots, 0::BIGINT AS unmatched_pilots,
               0::BIGINT AS repeat_pilots,
               CASE WHEN y = {p0} THEN DATE '2023-06-01' ELSE make_date(y, 3, 1) END AS list_submitted_on,
               TRUE AS has_list,
               CASE WHEN y = {p0} THEN make_date(y, 6, 30) ELSE make_date(y, 3, 31) END AS list_deadline,
               TRUE AS list_on_time
        FROM marts.dim_locality AS l CROSS JOIN (SELECT unnest({years}) AS y)
        """
    )
    con.execute(
        f"""
        CREATE TABLE marts.participation_by_locality_year AS
        SELECT l.locality_code, y AS year,
               (10 * (y - {p0} + 1))::BIGINT AS cumulative_pilots,
               (10 * (y - {p0} + 1))::BIGINT AS assessed_initial,
               (9 * (y - {p0} + 1))::BIGINT AS filed,
               (5 * (y - {p0} + 1))::BIGINT AS graded,
               1.0::DOUBLE AS initial_assessment_rate, 0.9::DOUBLE AS filing_rate, 0.5::DOUBLE AS graded_rate
        FROM marts.dim_locality AS l CROSS JOIN (SELECT unnest({years}) AS y)
        """
    )
    yoy = ", ".join(f"CASE WHEN y > {p0} THEN 0.1 END::DOUBLE AS {name}_yoy" for name in settings.indicators())
    con.execute(
        f"""
        CREATE TABLE marts.enterprise_improvement AS
        SELECT '91{SHANGHAI}' || lpad(e::VARCHAR, 9, '0') || 'X' AS uscc, '{SHANGHAI}' AS locality_code,
               {p0} AS cohort_year, y AS year, 60.0::DOUBLE AS baseline_score, (60 + 5 * (y - {p0}))::DOUBLE AS latest_score,
               (5 * (y - {p0}))::DOUBLE AS score_delta, y > {p0} AS improved, 3 AS latest_grade, {yoy}
        FROM range(3) AS t(e) CROSS JOIN (SELECT unnest({years}) AS y)
        """
    )
    con.execute(
        f"""
        CREATE TABLE marts.regional_effectiveness AS
        SELECT locality_code, y AS year, 10::BIGINT AS pilots_with_delta, 5.0::DOUBLE AS mean_score_delta,
               5.0::DOUBLE AS median_score_delta, 0.8::DOUBLE AS share_improved, 0.9::DOUBLE AS filing_rate,
               10 * (y - {p0} + 1) / 30 AS cumulative_coverage, 2.0::DOUBLE AS hvp_per_pilot, 0.1::DOUBLE AS hvp_growth,
               50.0::DOUBLE AS effectiveness_index,
               CASE WHEN locality_code = '{settings.NATIONAL_CODE}' THEN NULL
                    ELSE row_number() OVER (PARTITION BY y ORDER BY locality_code) END AS rank
        FROM (SELECT locality_code FROM marts.dim_locality UNION ALL SELECT '{settings.NATIONAL_CODE}')
        CROSS JOIN (SELECT unnest({years}) AS y)
        """
    )
    con.execute(
        f"""
        CREATE TABLE marts.national_summary AS
        SELECT y AS year, 37::BIGINT AS localities_with_lists, (37 * 30)::BIGINT AS eligible_base,
               (37 * 11)::BIGINT AS batch_pilots, (37 * 10 * (y - {p0} + 1))::BIGINT AS cumulative_eligible_pilots,
               10 * (y - {p0} + 1) / 30 AS cumulative_coverage, 37::BIGINT AS localities_on_track,
               37::BIGINT AS localities_meeting_batch_target, 0.9::DOUBLE AS filing_rate, 5.0::DOUBLE AS mean_score_delta,
               0.8::DOUBLE AS share_improved
        FROM (SELECT unnest({years}) AS y)
        """
    )
    con.execute(
        """
        CREATE TABLE marts.fct_pilot_membership AS
        SELECT file_hash || ':' || row_number AS pilot_row_id, locality_code, year, batch, seq,
               name AS pilot_name, name_key, uscc, 'matched' AS match_status,
               locality_code AS enterprise_locality_code, FALSE AS locality_mismatch, FALSE AS in_eligible_base,
               source_file, row_number AS source_row_number
        FROM raw.pilots
        """
    )
    con.execute(
        """
        CREATE TABLE marts.dim_enterprise AS
        SELECT DISTINCT uscc, name AS enterprise_name, name_key, locality_code, TRUE AS in_register
        FROM raw.registers
        """
    )
