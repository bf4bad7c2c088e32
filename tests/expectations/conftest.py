"""Fixtures of the expectations room: a copy, per test, of a build the real pipeline made from a
clean landing (tests/fixtures/real_builds.py: all 37 localities, every gate passes; the session
fixture `clean_build` of tests/conftest.py), which the test breaks with plain SQL."""
from __future__ import annotations

import os
import shutil

# Before anything imports Great Expectations: no analytics from test runs.
os.environ["GX_ANALYTICS_ENABLED"] = "false"
os.environ.setdefault("DO_NOT_TRACK", "1")

import duckdb  # noqa: E402
import pytest  # noqa: E402


@pytest.fixture
def warehouse(clean_build, tmp_path):
    """An open read-write connection to this test's own copy of the clean real build."""
    copy = shutil.copy(clean_build.current, tmp_path / "build.duckdb")
    con = duckdb.connect(str(copy))
    yield con
    con.close()
