"""Fixtures of the expectations room: a crafted build database per test (tests/expectations/crafted.py)."""
from __future__ import annotations

import os

# Before anything imports Great Expectations: no analytics from test runs.
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("DO_NOT_TRACK", "1")

import pytest  # noqa: E402

from tests.expectations.crafted import build_clean_warehouse  # noqa: E402


@pytest.fixture
def warehouse(tmp_path):
    """An open read-write connection to a fresh crafted build database that passes every gate."""
    con = build_clean_warehouse(tmp_path / "build.duckdb")
    yield con
    con.close()
