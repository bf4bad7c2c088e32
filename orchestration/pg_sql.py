"""`pilotdw sql --warehouse postgresql://… [--role R]`: one query on the published PostgreSQL
warehouse, in a read-only transaction with a statement timeout, as a reader role if asked."""
from __future__ import annotations

import re

# A reader's query may not hold the server for longer than this (env PILOTDW_SQL_TIMEOUT, e.g. "5min").
DEFAULT_STATEMENT_TIMEOUT = "60s"
_ROLE = re.compile(r"^[a-z_][a-z0-9_]*$")


def query_frame(url: str, query: str, role: str | None = None, statement_timeout: str | None = None):
    """The result of `query` as a DataFrame (None for a statement without rows). The transaction is
    READ ONLY and rolled back: nothing a query does is kept, whoever connects."""
    import os

    import pandas as pd
    import psycopg

    if role is not None and not _ROLE.match(role):
        raise ValueError(f"not a role name: {role!r}")
    timeout = statement_timeout or os.environ.get("PILOTDW_SQL_TIMEOUT") or DEFAULT_STATEMENT_TIMEOUT
    with psycopg.connect(url, application_name="pilotdw sql") as conn:
        conn.read_only = True
        try:
            with conn.cursor() as cur:
                cur.execute("SELECT set_config('statement_timeout', %s, true)", [timeout])
                if role:
                    cur.execute(f'SET LOCAL ROLE "{role}"')
                cur.execute(query)
                if cur.description is None:
                    return None
                names = [d.name for d in cur.description]
                return pd.DataFrame.from_records(cur.fetchall(), columns=names)
        finally:
            conn.rollback()
