"""Every SQL example in docs/analysts.md runs against the published demo warehouse."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "analysts.md"
QUERIES = re.findall(r"### (\d+)\. (.+?)\n```sql\n(.+?)```", DOC.read_text(encoding="utf-8"), flags=re.S)

pytestmark = pytest.mark.slow


def test_the_doc_has_at_least_ten_questions():
    assert len(QUERIES) >= 10


@pytest.mark.parametrize("number,question,query", QUERIES, ids=[q[0] for q in QUERIES])
def test_example_query_runs(demo_run, number, question, query):
    assert demo_run.returncode == 0, demo_run.stdout + demo_run.stderr
    rows = demo_run.sql(query)  # raises on any error: a wrong column name fails here
    assert rows, f"question {number} answers nothing on the demo data: the demo should show every question's case"
