"""Fixtures of the report tests: crafted warehouses (current and previous build) in tmp_path."""
from __future__ import annotations

from pathlib import Path

import duckdb
import pytest

from reports_warehouse_builder import build_warehouse


@pytest.fixture(scope="session")
def warehouse_path(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("wh") / "warehouse.duckdb")


@pytest.fixture(scope="session")
def previous_path(tmp_path_factory) -> Path:
    return build_warehouse(tmp_path_factory.mktemp("prev") / "previous.duckdb", variant="previous")


@pytest.fixture(scope="session")
def rendered(warehouse_path, previous_path, tmp_path_factory) -> dict:
    """The reports of the fixture's latest year, Chinese, compared with the previous build."""
    from pilotdw.reports.render import write_reports

    out = tmp_path_factory.mktemp("out")
    with duckdb.connect(str(warehouse_path), read_only=True) as con, \
            duckdb.connect(str(previous_path), read_only=True) as prev:
        paths = write_reports(con, out, previous=prev)
    return {"out": out, "paths": paths, "dir": out / "2024"}
