"""Fixtures of the report tests: the warehouses the real pipeline built from a small landing
(tests/fixtures/real_builds.py, via the session fixture `report_builds` of tests/conftest.py) —
the published one and the build before it — and the reports rendered from them."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest


@pytest.fixture(scope="session")
def warehouse_path(report_builds) -> Path:
    """The published warehouse of the second run (opened read-only by the tests; copied to change it)."""
    return report_builds.current


@pytest.fixture(scope="session")
def previous_path(report_builds) -> Path:
    """The first run's build, as the home's build history keeps it (before Guangdong's latest list)."""
    return report_builds.previous


@pytest.fixture(scope="session")
def year(warehouse_path) -> int:
    """The report's year: the latest year of marts.national_summary."""
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        return con.execute("SELECT max(year) FROM marts.national_summary").fetchone()[0]


@pytest.fixture(scope="session")
def rendered(warehouse_path, previous_path, year, tmp_path_factory) -> dict:
    """The reports of the latest year, Chinese, compared with the previous build."""
    from pilotdw.reports.render import write_reports

    out = tmp_path_factory.mktemp("out")
    with duckdb.connect(str(warehouse_path), read_only=True) as con, \
            duckdb.connect(str(previous_path), read_only=True) as prev:
        paths = write_reports(con, out, previous=prev)
    return {"out": out, "paths": paths, "dir": out / str(year), "year": year}

