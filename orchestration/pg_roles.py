"""Who may read the warehouse on a PostgreSQL server: the reader role and one role per locality.

- `pilotdw_reader` reads every row of `marts` and `audit`.
- `pilotdw_locality_<code>` (one per locality of the localities seed) reads `marts` only, and only
  its locality's rows: in an enterprise-level mart (one with `uscc`) its own enterprises; in a
  locality-level mart its own row and the national row 000000; a mart with no locality_code
  (national_summary) whole. All locality roles are members of `pilotdw_locality`, which holds the
  grants; row-level security picks the rows from the locality roles the user is a member of, so a
  person granted two localities sees both, with or without SET ROLE.
- No reader role may write, create, or read `raw`, `staging`, `intermediate` or `seeds`.

Roles belong to the server and are created once (idempotently) by every run; grants and policies
belong to the tables, so they are applied to each build's schemas in the transaction that publishes
them (pg_warehouse.publish_build): there is no moment when the published marts lack them.
"""
from __future__ import annotations

from pilotdw import settings
READER = "pilotdw_reader"
LOCALITY_GROUP = "pilotdw_locality"
LOCALITY_PREFIX = "pilotdw_locality_"
READER_SCHEMAS = ("marts", "audit")

# The locality codes the current user may read: from its memberships in pilotdw_locality_<code>.
# pg_has_role by oid never fails for a code with no role (e.g. a row with an unknown locality).
_MY_LOCALITIES = (
    f"SELECT substr(rolname, {len(LOCALITY_PREFIX) + 1}) FROM pg_catalog.pg_roles "
    f"WHERE rolname LIKE '{LOCALITY_PREFIX.replace('_', chr(92) + '_')}%' AND pg_catalog.pg_has_role(current_user, oid, 'USAGE')"
)


def locality_role(code: str) -> str:
    return f"{LOCALITY_PREFIX}{code}"


def role_names() -> list[str]:
    return [READER, LOCALITY_GROUP, *(locality_role(loc.code) for loc in settings.localities())]


def ensure_roles(conn) -> list[str]:
    """Create the reader roles that do not exist yet (NOLOGIN: people log in as themselves and are
    granted one of these). Safe to run concurrently: a role another session just created is fine."""
    import psycopg

    created = []
    existing = {r[0] for r in conn.execute("SELECT rolname FROM pg_roles WHERE rolname LIKE 'pilotdw\\_%'").fetchall()}
    for role in role_names():
        if role in existing:
            continue
        try:
            with conn.transaction():
                conn.execute(f'CREATE ROLE "{role}" NOLOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE INHERIT')
            created.append(role)
        except (psycopg.errors.DuplicateObject, psycopg.errors.UniqueViolation):
            pass
    for loc in settings.localities():
        conn.execute(f'GRANT "{LOCALITY_GROUP}" TO "{locality_role(loc.code)}"')
    return created


def grant_published(conn) -> None:
    """Grants and row-level security on the schemas now named marts and audit (run inside the
    publishing transaction). Everything else stays unreadable to the reader roles."""
    conn.execute("REVOKE CREATE ON SCHEMA public FROM PUBLIC")
    dbname = conn.execute("SELECT current_database()").fetchone()[0]
    conn.execute(f'REVOKE CREATE ON DATABASE "{dbname}" FROM PUBLIC')
    conn.execute(f'GRANT CONNECT ON DATABASE "{dbname}" TO "{READER}", "{LOCALITY_GROUP}"')
    for schema in READER_SCHEMAS:
        conn.execute(f'GRANT USAGE ON SCHEMA "{schema}" TO "{READER}"')
        conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA "{schema}" TO "{READER}"')
    conn.execute(f'GRANT USAGE ON SCHEMA marts TO "{LOCALITY_GROUP}"')
    conn.execute(f'GRANT SELECT ON ALL TABLES IN SCHEMA marts TO "{LOCALITY_GROUP}"')
    columns: dict[str, set[str]] = {}
    for table, column in conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'marts'"
    ).fetchall():
        columns.setdefault(table, set()).add(column)
    for table, cols in sorted(columns.items()):
        if "locality_code" not in cols:
            continue  # national figures only: every locality may read them
        own = f"locality_code IN ({_MY_LOCALITIES})"
        rows = own if "uscc" in cols else f"({own} OR locality_code = '{settings.NATIONAL_CODE}')"
        qualified = f'marts."{table}"'
        conn.execute(f"ALTER TABLE {qualified} ENABLE ROW LEVEL SECURITY")
        conn.execute(f"DROP POLICY IF EXISTS reader_all_rows ON {qualified}")
        conn.execute(f'CREATE POLICY reader_all_rows ON {qualified} FOR SELECT TO "{READER}" USING (true)')
        conn.execute(f"DROP POLICY IF EXISTS locality_rows ON {qualified}")
        conn.execute(f'CREATE POLICY locality_rows ON {qualified} FOR SELECT TO "{LOCALITY_GROUP}" USING ({rows})')
