"""Reading the published warehouse: marts.* and audit.* rows as plain dicts, for the templates and the
workbook. Selecting, joining names, filtering and sorting only; every figure is a mart value.

Tables that a warehouse may not have yet (marts.enterprise_status_by_year, audit.builds, a national
participation row) are optional: the readers return None or [] and the reports say what is missing.
"""
from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

import duckdb

from pilotdw.settings import NATIONAL_CODE


def _rows(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = ()) -> list[dict]:
    # A cursor per query so an unfinished result never blocks the caller's connection.
    cur = con.cursor()
    try:
        result = cur.execute(sql, list(params))
        names = [d[0] for d in result.description]
        return [dict(zip(names, r)) for r in result.fetchall()]
    finally:
        cur.close()


def _stream(con: duckdb.DuckDBPyConnection, sql: str, params: list | tuple = (), batch: int = 20_000):
    """Rows as dicts, fetched in batches: for enterprise-level tables, which at national scale and
    beyond are too many to hold as dicts at once (issue 7)."""
    cur = con.cursor()
    try:
        result = cur.execute(sql, list(params))
        names = [d[0] for d in result.description]
        while chunk := result.fetchmany(batch):
            for r in chunk:
                yield dict(zip(names, r))
    finally:
        cur.close()


@dataclass
class Warehouse:
    """One published warehouse, read through `con` (read-only is enough)."""

    con: duckdb.DuckDBPyConnection

    # ---- what exists -------------------------------------------------------------------------
    @cached_property
    def _columns(self) -> dict[tuple[str, str], dict[str, None]]:
        """(schema, table) → its columns, in table order."""
        found: dict[tuple[str, str], dict[str, None]] = {}
        for r in _rows(
            self.con,
            "SELECT table_schema, table_name, column_name FROM information_schema.columns "
            "WHERE table_catalog = current_database() AND table_schema IN ('marts', 'audit', 'seeds') "
            "ORDER BY table_schema, table_name, ordinal_position",
        ):
            found.setdefault((r["table_schema"], r["table_name"]), {})[r["column_name"]] = None
        return found

    def has_table(self, schema: str, table: str) -> bool:
        return (schema, table) in self._columns

    def has_column(self, schema: str, table: str, column: str) -> bool:
        return column in self._columns.get((schema, table), {})

    def _name_expr(self, alias: str, lang: str) -> str:
        """Locality display name: English from dim_locality when asked, else the Chinese name."""
        parts = []
        if lang == "en" and self.has_column("marts", "dim_locality", "locality_name_en"):
            parts.append("d.locality_name_en")
        if alias == "c":  # only the coverage mart carries locality_name itself
            parts.append("c.locality_name")
        parts.append("d.locality_name")
        return f"coalesce({', '.join(parts)})"

    def _star(self, alias: str, table: str) -> str:
        """alias.* without its own locality_name (the display name is joined from dim_locality),
        listed column by column: `* EXCLUDE` is DuckDB's alone."""
        if not self.has_column("marts", table, "locality_name"):
            return f"{alias}.*"
        return ", ".join(f'{alias}."{c}"' for c in self._columns[("marts", table)] if c != "locality_name")

    # ---- years -------------------------------------------------------------------------------
    def years(self) -> list[int]:
        return [r["year"] for r in _rows(self.con, "SELECT DISTINCT year FROM marts.national_summary ORDER BY year")]

    def latest_year(self) -> int | None:
        years = self.years()
        return years[-1] if years else None

    # ---- national ----------------------------------------------------------------------------
    def national_summary(self, year: int) -> dict | None:
        found = _rows(self.con, "SELECT * FROM marts.national_summary WHERE year = ?", [year])
        return found[0] if found else None

    def target_coverage(self, year: int) -> float | None:
        found = _rows(
            self.con,
            "SELECT DISTINCT target_coverage FROM marts.coverage_by_locality_year "
            "WHERE year = ? AND target_coverage IS NOT NULL",
            [year],
        )
        return found[0]["target_coverage"] if found else None

    def national_effectiveness(self, year: int) -> dict | None:
        found = _rows(
            self.con, "SELECT * FROM marts.regional_effectiveness WHERE year = ? AND locality_code = ?", [year, NATIONAL_CODE]
        )
        return found[0] if found else None

    def national_participation(self, year: int) -> dict | None:
        """The national funnel: the mart's national row if it has one (metrics.md names none)."""
        found = _rows(
            self.con,
            "SELECT * FROM marts.participation_by_locality_year WHERE year = ? AND locality_code = ?",
            [year, NATIONAL_CODE],
        )
        if found:
            return {**found[0], "source_table": "marts.participation_by_locality_year"}
        # else national_summary, once it carries the funnel's counts and rates
        funnel = ("cumulative_pilots", "assessed_initial", "filed", "graded", "initial_assessment_rate", "filing_rate", "graded_rate")
        if all(self.has_column("marts", "national_summary", c) for c in funnel):
            row = self.national_summary(year)
            return {**row, "locality_code": NATIONAL_CODE, "source_table": "marts.national_summary"} if row else None
        return None

    # ---- per locality ------------------------------------------------------------------------
    def localities(self, lang: str) -> list[dict]:
        name = "locality_name_en" if lang == "en" and self.has_column("marts", "dim_locality", "locality_name_en") else "locality_name"
        return _rows(
            self.con,
            f"SELECT locality_code, coalesce({name}, locality_name) AS locality_name FROM marts.dim_locality "
            "ORDER BY locality_code",
        )

    def _locality_year(self, alias: str, table: str, year: int, lang: str, locality_code: str | None, order: str,
                       *, join: str = "JOIN", national: bool = True) -> list[dict]:
        """Rows of a locality-year mart for `year` (one locality's when `locality_code`), with the
        locality's display name; `national=False` leaves out the national row."""
        sql = (
            f"SELECT {self._star(alias, table)}, {self._name_expr(alias, lang)} AS locality_name "
            f"FROM marts.{table} {alias} {join} marts.dim_locality d USING (locality_code) "
            f"WHERE {alias}.year = ?"
        )
        params: list = [year]
        if not national:
            sql += f" AND {alias}.locality_code <> ?"
            params.append(NATIONAL_CODE)
        if locality_code:
            sql += f" AND {alias}.locality_code = ?"
            params.append(locality_code)
        return _rows(self.con, f"{sql} ORDER BY {order}", params)

    def coverage(self, year: int, lang: str, locality_code: str | None = None) -> list[dict]:
        return self._locality_year("c", "coverage_by_locality_year", year, lang, locality_code,
                                   "c.cumulative_coverage DESC NULLS LAST, c.locality_code", join="LEFT JOIN")

    def coverage_history(self, locality_code: str, up_to_year: int) -> list[dict]:
        return _rows(
            self.con,
            "SELECT * FROM marts.coverage_by_locality_year WHERE locality_code = ? AND year <= ? ORDER BY year",
            [locality_code, up_to_year],
        )

    def participation(self, year: int, lang: str, locality_code: str | None = None) -> list[dict]:
        return self._locality_year("p", "participation_by_locality_year", year, lang, locality_code, "p.locality_code")

    def effectiveness(self, year: int, lang: str, locality_code: str | None = None) -> list[dict]:
        """Localities ranked (1 first, unranked last); the national row is left out."""
        return self._locality_year("e", "regional_effectiveness", year, lang, locality_code,
                                   "e.rank NULLS LAST, e.locality_code", national=False)

    def _improvement_query(self, year: int, lang: str, locality_code: str | None) -> tuple[str, list]:
        name_col = next((c for c in ("enterprise_name", "name") if self.has_column("marts", "dim_enterprise", c)), None)
        name = f"de.{name_col}" if name_col else "NULL::VARCHAR"
        join = "LEFT JOIN marts.dim_enterprise de USING (uscc)" if name_col else ""
        sql = (
            f"SELECT i.uscc, {name} AS name, i.locality_code, {self._name_expr('i', lang)} AS locality_name, "
            "i.cohort_year, i.year, i.baseline_score, i.latest_score, i.score_delta, i.improved, i.latest_grade "
            f"FROM marts.enterprise_improvement i LEFT JOIN marts.dim_locality d USING (locality_code) {join} "
            "WHERE i.year = ?"
        )
        params: list = [year]
        if locality_code:
            sql += " AND i.locality_code = ?"
            params.append(locality_code)
        return sql + " ORDER BY i.locality_code, i.score_delta DESC NULLS LAST, i.uscc", params

    def improvement(self, year: int, lang: str, locality_code: str | None = None) -> list[dict]:
        """Enterprise rows of marts.enterprise_improvement for `year`, with the enterprise's name when
        marts.dim_enterprise has one."""
        return _rows(self.con, *self._improvement_query(year, lang, locality_code))

    def improvement_stream(self, year: int, lang: str) -> tuple[int, Iterator[dict]]:
        """`improvement(year, lang)` for every locality, as (row count, one-pass iterator)."""
        count = _rows(self.con, "SELECT count(*) AS n FROM marts.enterprise_improvement WHERE year = ?", [year])[0]["n"]
        return count, _stream(self.con, *self._improvement_query(year, lang, None))

    def score_deltas_and_grades(self, year: int, locality_code: str | None = None) -> list[dict]:
        """Only what the distribution charts need from marts.enterprise_improvement."""
        sql = "SELECT score_delta, latest_grade FROM marts.enterprise_improvement WHERE year = ?"
        params: list = [year]
        if locality_code:
            sql += " AND locality_code = ?"
            params.append(locality_code)
        return _rows(self.con, sql, params)

    def enterprise_status(self, year: int, lang: str, locality_code: str | None = None) -> list[dict] | None:
        """marts.enterprise_status_by_year rows for `year` whose enterprise is behind schedule (the
        mart's action_needed). None when the warehouse does not have the table yet."""
        if not self.has_table("marts", "enterprise_status_by_year"):
            return None
        sql = (
            f"SELECT {self._star('s', 'enterprise_status_by_year')}, {self._name_expr('s', lang)} AS locality_name "
            "FROM marts.enterprise_status_by_year s LEFT JOIN marts.dim_locality d USING (locality_code) "
            "WHERE s.year = ? AND s.action_needed"
        )
        params: list = [year]
        if locality_code:
            sql += " AND s.locality_code = ?"
            params.append(locality_code)
        return _rows(self.con, sql + " ORDER BY s.locality_code, s.name, s.uscc", params)

    # ---- pilot effect (marts.pilot_effect) ---------------------------------------------------
    def pilot_effect(self, aggregation: str, scope_code: str | None = None) -> list[dict]:
        """Rows of marts.pilot_effect of one aggregation (overall, event, cohort, cell), for one scope
        or all, ordered by scope, outcome and the aggregation's own axis. [] when the warehouse has
        no such table yet."""
        if not self.has_table("marts", "pilot_effect"):
            return []
        sql = "SELECT * FROM marts.pilot_effect WHERE aggregation = ?"
        params: list = [aggregation]
        if scope_code:
            sql += " AND scope_code = ?"
            params.append(scope_code)
        return _rows(self.con, sql + " ORDER BY scope_code, outcome, event_time, cohort_year, year", params)

    def effect_outcomes(self, lang: str) -> list[dict]:
        """The outcomes of the pilot-effect mart in seed order, with their name in `lang` and unit:
        seeds.effect_outcomes where the warehouse has it, else the outcomes the mart holds (named
        from the indicator seed by the caller)."""
        if self.has_table("seeds", "effect_outcomes"):
            name = "name_en" if lang == "en" and self.has_column("seeds", "effect_outcomes", "name_en") else "name_zh"
            have = self._columns[("seeds", "effect_outcomes")]
            unit = "unit" if "unit" in have else "NULL::VARCHAR"
            label = name if name in have else "NULL::VARCHAR"
            # seed (insertion) order: DuckDB's rowid, PostgreSQL's ctid (a seed table is written once)
            order = "ctid" if getattr(self.con, "dialect", "duckdb") == "postgres" else "rowid"
            return _rows(self.con, f"SELECT outcome, {label} AS label, {unit} AS unit FROM seeds.effect_outcomes "
                                   f"ORDER BY {order}")
        if not self.has_table("marts", "pilot_effect"):
            return []
        return _rows(self.con, "SELECT DISTINCT outcome, NULL::VARCHAR AS label, NULL::VARCHAR AS unit "
                               "FROM marts.pilot_effect ORDER BY outcome")

    # ---- audit -------------------------------------------------------------------------------
    def build(self) -> dict | None:
        if not self.has_table("audit", "builds"):
            return None
        found = _rows(
            self.con, "SELECT * FROM audit.builds ORDER BY finished_at DESC NULLS LAST, started_at DESC NULLS LAST LIMIT 1"
        )
        return found[0] if found else None

    def source_files(self, build: dict | None) -> list[dict]:
        """The build's source files with what happened to each (audit.loads)."""
        if not self.has_table("audit", "loads"):
            return [{"path": p, "status": None, "content_hash": None} for p in (build or {}).get("source_files") or []]
        loads = _rows(
            self.con,
            "SELECT path, status, content_hash, rows_loaded, rows_quarantined FROM ("
            "SELECT *, row_number() OVER (PARTITION BY path ORDER BY loaded_at DESC) AS latest FROM audit.loads"
            ") AS l WHERE latest = 1 ORDER BY path",
        )
        if build and build.get("source_files") is not None:
            by_path = {r["path"]: r for r in loads}
            return [by_path.get(p, {"path": p, "status": None, "content_hash": None}) for p in sorted(build["source_files"])]
        return loads

    def checks(self, build: dict | None) -> list[dict]:
        """audit.check_results of this build's run (the latest run when the build is unknown)."""
        if not self.has_table("audit", "check_results"):
            return []
        run_id = (build or {}).get("run_id")
        if run_id is None or not _rows(self.con, "SELECT 1 FROM audit.check_results WHERE run_id = ? LIMIT 1", [run_id]):
            latest = _rows(self.con, "SELECT run_id FROM audit.check_results ORDER BY checked_at DESC LIMIT 1")
            if not latest:
                return []
            run_id = latest[0]["run_id"]
        return _rows(
            self.con,
            "SELECT * FROM audit.check_results WHERE run_id = ? "
            "ORDER BY passed, CASE severity WHEN 'block' THEN 0 ELSE 1 END, \"check\", \"table\"",
            [run_id],
        )

    def quarantine_by_source_locality(self, lang: str, locality_code: str | None = None) -> list[dict] | None:
        """Counts of quarantined rows by source and locality; None when audit.quarantine records no
        locality (metrics.md does not name one)."""
        if not self.has_column("audit", "quarantine", "locality_code"):
            return None
        sql = (
            f"SELECT q.source, q.locality_code, {self._name_expr('q', lang)} "
            "AS locality_name, count(*) AS rows FROM audit.quarantine q "
            "LEFT JOIN marts.dim_locality d ON d.locality_code = q.locality_code"
        )
        params: list = []
        if locality_code:
            sql += " WHERE q.locality_code = ?"
            params.append(locality_code)
        return _rows(self.con, sql + " GROUP BY 1, 2, 3 ORDER BY q.source, q.locality_code NULLS LAST", params)

    def quarantine_by_file(self, locality_code: str | None = None) -> list[dict]:
        if not self.has_table("audit", "quarantine"):
            return []
        sql = 'SELECT source, file, "column", reason, count(*) AS rows FROM audit.quarantine'
        params: list = []
        if locality_code:
            if not self.has_column("audit", "quarantine", "locality_code"):
                return []
            sql += " WHERE locality_code = ?"
            params.append(locality_code)
        return _rows(self.con, sql + ' GROUP BY 1, 2, 3, 4 ORDER BY source, file, "column", reason', params)

    def rejected_files(self) -> list[dict]:
        if not self.has_table("audit", "loads"):
            return []
        return _rows(
            self.con,
            "SELECT path, source, format, reason, loaded_at FROM audit.loads WHERE status = 'rejected' ORDER BY path",
        )

    def quarantine_rows(self) -> list[dict]:
        """Every quarantined row (for the workbook, where a regional office can filter and fix)."""
        if not self.has_table("audit", "quarantine"):
            return []
        loc = "locality_code" if self.has_column("audit", "quarantine", "locality_code") else "NULL::VARCHAR AS locality_code"
        return _rows(
            self.con,
            f'SELECT source, {loc}, file, row_number, "column", value, reason FROM audit.quarantine '
            "ORDER BY source, file, row_number, \"column\"",
        )
