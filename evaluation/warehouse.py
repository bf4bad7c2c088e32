"""Reading the inputs of marts.pilot_effect from a build database and writing the mart back.

Both take the engine's build connection: DuckDB (with its faster DataFrame paths) or pilotdw's
PostgreSQL connection (orchestration/pg_connection.py: DuckDB-style `?` placeholders, the build's
schemas under their plain names). The SQL here is plain: no DuckDB-only syntax.
"""
from __future__ import annotations

import re

import pandas as pd

from pilotdw import catalogue
from pilotdw.evaluation.effect import COLUMNS, pilot_effect

PANEL = "intermediate.int_effect_panel"
EXCLUDED = "intermediate.int_effect_excluded_pilots"
OUTCOMES = "seeds.effect_outcomes"
LOCALITIES = "seeds.localities"
TABLE = "marts.pilot_effect"
_IDENT = re.compile(r"^[a-z_][a-z0-9_]*$")


def _frame(con, sql: str, params: tuple = ()) -> pd.DataFrame:
    cursor = con.execute(sql, params) if params else con.execute(sql)
    if hasattr(cursor, "df"):  # DuckDB: straight to pandas
        return cursor.df()
    rows = cursor.fetchall()
    return pd.DataFrame(rows, columns=[d[0] for d in cursor.description])


def outcomes(con) -> list[str]:
    """The outcomes of seeds.effect_outcomes, in seed order."""
    names = _frame(con, f"SELECT outcome FROM {OUTCOMES}")["outcome"].tolist()
    bad = [n for n in names if not _IDENT.match(str(n))]
    if bad:  # they become column names in the panel's SELECT
        raise ValueError(f"{OUTCOMES}: not a filing indicator column name: {bad}")
    return names


def read_inputs(con) -> tuple[pd.DataFrame, list[str], list[str], pd.DataFrame]:
    """(panel with the outcome columns, outcomes, every locality code, excluded pilots)."""
    names = outcomes(con)
    selected = ", ".join(["uscc", "locality_code", "data_year", "cohort_year", *names])
    panel = _frame(con, f"SELECT {selected} FROM {PANEL} ORDER BY uscc, data_year")
    for name in names:
        panel[name] = pd.to_numeric(panel[name], errors="coerce").astype(float)
    localities = _frame(con, f"SELECT locality_code FROM {LOCALITIES} ORDER BY locality_code")["locality_code"].tolist()
    excluded = _frame(con, f"SELECT locality_code, pilot_key, uscc FROM {EXCLUDED}")
    return panel, names, localities, excluded


def build_pilot_effect(con) -> pd.DataFrame:
    """Estimate from the build's panel and write marts.pilot_effect; returns what was written."""
    # no name for the panel here: pilot_effect drops it once the scopes are cut (~1 GB at 40×)
    frame = pilot_effect(*read_inputs(con))
    write_pilot_effect(con, frame)
    return frame


def write_pilot_effect(con, frame: pd.DataFrame) -> None:
    """Replace marts.pilot_effect with `frame` (columns of effect.COLUMNS)."""
    con.execute("CREATE SCHEMA IF NOT EXISTS marts")
    con.execute(f"DROP TABLE IF EXISTS {TABLE}")
    con.execute(catalogue.create_table_sql(TABLE, if_not_exists=False))  # the catalogue's DDL, portable types
    if frame.empty:
        return
    if hasattr(con, "register"):  # DuckDB: insert from the DataFrame in one statement
        con.register("pilot_effect_frame", frame)
        try:
            con.execute(f"INSERT INTO {TABLE} SELECT {', '.join(COLUMNS)} FROM pilot_effect_frame")
        finally:
            con.unregister("pilot_effect_frame")
        return
    rows = [tuple(None if pd.isna(v) else (v.item() if hasattr(v, "item") else v) for v in row)
            for row in frame[list(COLUMNS)].itertuples(index=False, name=None)]
    placeholders = ", ".join(["?"] * len(COLUMNS))
    con.executemany(f"INSERT INTO {TABLE} ({', '.join(COLUMNS)}) VALUES ({placeholders})", rows)
