"""The demo, end to end through the real CLI: what `make demo` promises."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.e2e.conftest import pilotdw

pytestmark = pytest.mark.slow
SPEC = Path(__file__).resolve().parents[3] / "shared" / "spec" / "metrics.md"


def test_demo_publishes_and_says_what_it_loaded(demo_run):
    assert demo_run.returncode == 0, demo_run.stdout[-3000:] + demo_run.stderr[-3000:]
    out = demo_run.stdout
    assert "## Files" in out and "quarantined" in out and "Published:" in out
    assert re.search(r"\[\d+/\d+\] pilots/310000_2023_b1_首批名单\.tsv: loaded — 213 rows", demo_run.stderr)


def test_every_locality_every_year(demo_run):
    per_year = demo_run.sql("SELECT year, count(DISTINCT locality_code) FROM marts.coverage_by_locality_year GROUP BY year ORDER BY year")
    assert [y for y, _ in per_year][:3] == [2023, 2024, 2025]
    assert all(n == 37 for _, n in per_year)


def _spec_columns() -> dict[str, list[str]]:
    """Table → columns named in metrics.md's definition tables (and the national_summary list)."""
    text = SPEC.read_text(encoding="utf-8")
    tables: dict[str, list[str]] = {}
    for table, body in re.findall(r"`marts\.(\w+)`\n(.*?)(?=\n## |\Z)", text, flags=re.S):
        cols = []
        for cell in re.findall(r"^\| ([^|]+?) \|", body, flags=re.M):
            cols += [c.strip().split(" ")[0].strip("`*") for c in cell.split(",") if c.strip() not in ("column", "---")]
        tables[table] = [c for c in cols if re.fullmatch(r"[a-z_]+", c)]
    summary = re.search(r"`marts\.national_summary`\nOne row per year: (.*?) —", text, flags=re.S)
    if summary:
        tables["national_summary"] = re.findall(r"`(\w+)`", summary.group(1))
    return tables


@pytest.mark.skipif(not SPEC.exists(), reason="the shared spec is not beside this clone")
def test_every_mart_and_column_of_the_spec_exists(demo_run):
    spec = _spec_columns()
    assert {"coverage_by_locality_year", "participation_by_locality_year", "enterprise_improvement",
            "regional_effectiveness", "national_summary"} <= set(spec)
    for table, columns in spec.items():
        have = {c for (c,) in demo_run.sql(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = ?", [table])}
        missing = [c for c in columns if c not in have and not c.endswith("_yoy") and c != "indicator"]
        assert not missing, f"marts.{table} lacks {missing}"


def test_indicator_yoy_columns_exist_for_every_indicator(demo_run):
    from pilotdw.settings import indicators

    have = {c for (c,) in demo_run.sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = 'marts' AND table_name = 'enterprise_improvement'")}
    assert {f"{i}_yoy" for i in indicators()} <= have


def test_reports_and_audit_are_published(demo_run):
    reports = demo_run.home / "reports"
    years = sorted(p.name for p in reports.iterdir() if p.is_dir())
    latest = reports / years[-1]
    assert (latest / "national.html").stat().st_size > 10_000
    assert (latest / "national.xlsx").exists()
    assert len(list((latest / "localities").glob("*.html"))) == 37
    (build,) = demo_run.sql("SELECT count(*) FROM audit.builds WHERE published_at IS NOT NULL")
    assert build == (1,)
    assert demo_run.sql("SELECT count(*) > 0 FROM audit.quarantine") == [(True,)]
    assert demo_run.sql("SELECT bool_and(passed) FROM audit.check_results WHERE severity = 'block'") == [(True,)]
    assert demo_run.sql("SELECT count(*) > 0 FROM audit.check_results WHERE severity = 'warn' AND NOT passed") == [(True,)]


def test_the_published_warehouse_is_in_the_storage_format_older_clients_read(demo_run):
    """DuckDB 1.4 clients (older CLIs, DBeaver, R and Java drivers) open the published file: the
    build is made in that format from the start and published as a file copy (issue 17)."""
    import duckdb

    from pilotdw.orchestration.publish import PUBLISHED_STORAGE_VERSION

    with duckdb.connect() as con:
        con.execute(f"ATTACH '{demo_run.warehouse}' AS w (READ_ONLY)")
        (tags,) = con.execute("SELECT tags FROM duckdb_databases() WHERE database_name = 'w'").fetchone()
    assert tags["storage_version"] == f"{PUBLISHED_STORAGE_VERSION}+"


def test_sql_command_is_read_only(demo_run):
    ok = pilotdw("sql", "SELECT count(*) AS n FROM marts.dim_locality", "--home", str(demo_run.home), "--format", "csv")
    assert ok.returncode == 0 and ok.stdout.splitlines() == ["n", "37"]
    write = pilotdw("sql", "CREATE TABLE marts.x AS SELECT 1", "--home", str(demo_run.home))
    assert write.returncode != 0 and "read-only" in (write.stdout + write.stderr).lower()
