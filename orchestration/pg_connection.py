"""A PostgreSQL connection that the gates (expectations/) and the reports (reports/) use as they use
a DuckDB one: `execute(sql, params)` with `?` placeholders, `fetchall`/`fetchone`/`fetchmany`,
`description`, `df()`, `cursor()`, `executemany`.

It is a connection to *one build*: a build's tables live in schemas named `<prefix>raw`,
`<prefix>marts`, … (orchestration/pg_warehouse.py), and the SQL of the gates and reports names
them `raw.x`, `marts.x` as in the DuckDB file. The connection rewrites those schema names (outside
string literals), and shows information_schema with the build's schemas under their plain names, so
the same queries run on a build and, with an empty prefix, on the published schemas.
"""
from __future__ import annotations

import re
from decimal import Decimal

# The schemas of a build (sources/raw_schema.sql, expectations/results.py, the dbt project).
BUILD_SCHEMAS = ("raw", "audit", "seeds", "staging", "intermediate", "marts")

# String literals and comments: left as they are (a comment may hold an apostrophe or a `?`).
_STRING = re.compile(r"'(?:[^']|'')*'|--[^\n]*|/\*.*?\*/", re.DOTALL)
_SCHEMA_REF = re.compile(r'(?<![\w."])(")?(' + "|".join(BUILD_SCHEMAS) + r')(?(1)")\.(?=["\w])', re.IGNORECASE)
_SCHEMA_DDL = re.compile(r'\b(SCHEMA\s+(?:IF\s+(?:NOT\s+)?EXISTS\s+)?)(")?(' + "|".join(BUILD_SCHEMAS) + r')(?(2)")(?![\w.])', re.IGNORECASE)
_INFO = re.compile(r"\binformation_schema\.(tables|columns)\b", re.IGNORECASE)
_INFO_COLUMNS = {
    "tables": "table_catalog, table_name, table_type",
    "columns": "table_catalog, table_name, column_name, ordinal_position, data_type, is_nullable",
}


def _split_strings(sql: str):
    """(is_string_literal_or_comment, text) pieces of `sql`, in order."""
    at = 0
    for m in _STRING.finditer(sql):
        if m.start() > at:
            yield False, sql[at:m.start()]
        yield True, m.group(0)
        at = m.end()
    if at < len(sql):
        yield False, sql[at:]


def translate(sql: str, prefix: str, *, with_params: bool) -> str:
    """`sql` as written for DuckDB's Python API, for psycopg on a build with schema `prefix`."""
    out = []
    for literal, text in _split_strings(sql):
        if not literal:
            if prefix:
                text = _SCHEMA_REF.sub(lambda m: f'"{prefix}{m.group(2).lower()}".', text)
                text = _SCHEMA_DDL.sub(lambda m: f'{m.group(1)}"{prefix}{m.group(3).lower()}"', text)
                text = _INFO.sub(lambda m: _info_view(m.group(1).lower(), prefix), text)
            if with_params:
                text = text.replace("%", "%%").replace("?", "%s")
        elif with_params and text.startswith("'"):
            text = text.replace("%", "%%")
        elif with_params:
            text = ""  # a comment, where psycopg would still see a % placeholder
        out.append(text)
    return "".join(out)


def _info_view(view: str, prefix: str) -> str:
    """information_schema.<view> limited to the build's schemas, shown under their plain names."""
    like = prefix.replace("_", r"\_") + "%"
    return (
        f"(SELECT substr(table_schema, {len(prefix) + 1}) AS table_schema, {_INFO_COLUMNS[view]} "
        f"FROM information_schema.{view} WHERE table_schema LIKE '{like}') AS {view}"
    )


class PgCursor:
    """One psycopg cursor behind DuckDB's result methods."""

    def __init__(self, cursor, prefix: str):
        self._cur = cursor
        self._prefix = prefix

    def execute(self, sql: str, params=None) -> PgCursor:
        params = list(params) if params is not None else None
        self._cur.execute(translate(sql, self._prefix, with_params=bool(params)), params or None)
        return self

    def executemany(self, sql: str, rows) -> PgCursor:
        self._cur.executemany(translate(sql, self._prefix, with_params=True), [list(r) for r in rows])
        return self

    @property
    def description(self):
        return self._cur.description

    def fetchall(self) -> list[tuple]:
        return [tuple(_plain(v) for v in row) for row in self._cur.fetchall()]

    def fetchone(self) -> tuple | None:
        row = self._cur.fetchone()
        return None if row is None else tuple(_plain(v) for v in row)

    def fetchmany(self, size: int = 1) -> list[tuple]:
        return [tuple(_plain(v) for v in row) for row in self._cur.fetchmany(size)]

    def df(self):
        """The result as a pandas DataFrame (numeric columns as floats, as DuckDB gives DOUBLE)."""
        import pandas as pd

        names = [d.name for d in self._cur.description or ()]
        return pd.DataFrame.from_records(self.fetchall(), columns=names)

    def close(self) -> None:
        self._cur.close()


def _plain(value):
    # PostgreSQL's numeric (sum of integers, round(…, n)) arrives as Decimal; DuckDB gives a
    # number the reports and GX compare with floats.
    if isinstance(value, Decimal):
        return int(value) if value == value.to_integral_value() and value.as_tuple().exponent >= 0 else float(value)
    return value


class PgConnection:
    """A psycopg connection (autocommit: each statement its own transaction, as in DuckDB's
    Python API unless BEGIN is executed) seen through a build's schema prefix."""

    dialect = "postgres"

    def __init__(self, conn, prefix: str = ""):
        self.conn = conn
        self.prefix = prefix

    def cursor(self) -> PgCursor:
        return PgCursor(self.conn.cursor(), self.prefix)

    def execute(self, sql: str, params=None) -> PgCursor:
        return self.cursor().execute(sql, params)

    def executemany(self, sql: str, rows) -> PgCursor:
        return self.cursor().executemany(sql, rows)

    def comment(self, schema: str, table: str, column: str | None = None) -> str | None:
        """A table's or column's comment (COMMENT ON, dbt's persist_docs): what DuckDB's
        duckdb_tables()/duckdb_columns() give the reports."""
        regclass = f'"{self.prefix}{schema}"."{table}"'
        if column is None:
            sql = "SELECT obj_description(to_regclass(%s), 'pg_class')"
            params = [regclass]
        else:
            sql = ("SELECT col_description(to_regclass(%s), a.attnum) FROM pg_attribute a "
                   "WHERE a.attrelid = to_regclass(%s) AND a.attname = %s")
            params = [regclass, regclass, column]
        found = self.conn.execute(sql, params).fetchone()
        return found[0] if found and found[0] else None

    def close(self) -> None:
        self.conn.close()

    def __enter__(self) -> PgConnection:
        return self

    def __exit__(self, *exc) -> None:
        self.close()


def connect(url: str, prefix: str = "", **kwargs) -> PgConnection:
    import psycopg

    return PgConnection(psycopg.connect(url, autocommit=True, **kwargs), prefix)
