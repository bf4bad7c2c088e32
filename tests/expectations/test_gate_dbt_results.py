"""dbt test results (run_results.json) recorded as gate results in audit.check_results."""
from __future__ import annotations

import json

from pilotdw.expectations.gates import blocking_failures, record_dbt_results

PROJECT = "pilotdw"


def _test(name: str, status: str, failures: int | None, sql: str | None = None, message: str | None = None) -> dict:
    # The fields dbt-core 1.11 writes for each node of run_results.json (schema v6).
    return {
        "unique_id": f"test.{PROJECT}.{name}.0123456789",
        "status": status,
        "failures": failures,
        "message": message,
        "timing": [],
        "thread_id": "Thread-1",
        "execution_time": 0.01,
        "adapter_response": {},
        "compiled": sql is not None,
        "compiled_code": sql,
        "relation_name": None,
        "batch_results": None,
    }


def _run_results() -> dict:
    return {
        "metadata": {"dbt_schema_version": "https://schemas.getdbt.com/dbt/run-results/v6.json"},
        "elapsed_time": 1.0,
        "args": {},
        "results": [
            {**_test("model_row", "success", None), "unique_id": f"model.{PROJECT}.coverage_by_locality_year"},
            _test("unique_coverage_key", "pass", 0, "select 1 where false"),
            _test(
                "accepted_range_batch_ratio",
                "fail",
                2,
                # as dbt-duckdb compiles it: catalog (the build file's name), schema, table
                'select * from "build"."marts"."coverage_by_locality_year" where batch_ratio > 1',
            ),
            _test("not_null_filing_rate", "warn", 5, "select * from marts.participation_by_locality_year where false"),
            _test("relationships_locality", "error", None, None, "Catalog Error: Table x does not exist"),
            _test("expression_is_true_delta", "skipped", None),
        ],
    }


def _manifest() -> dict:
    def test_node(name: str, severity: str) -> tuple[str, dict]:
        return f"test.{PROJECT}.{name}.0123456789", {
            "name": name,
            "config": {"severity": severity},
            "attached_node": f"model.{PROJECT}.coverage_by_locality_year",
        }

    nodes = dict(
        [
            test_node("unique_coverage_key", "ERROR"),
            test_node("accepted_range_batch_ratio", "ERROR"),
            test_node("not_null_filing_rate", "warn"),
            test_node("relationships_locality", "warn"),
            test_node("expression_is_true_delta", "ERROR"),
        ]
    )
    nodes[f"model.{PROJECT}.coverage_by_locality_year"] = {"name": "coverage_by_locality_year", "schema": "marts", "alias": None}
    return {"nodes": nodes}


def test_dbt_tests_become_check_results_with_their_severity(warehouse):
    warehouse.execute("UPDATE marts.coverage_by_locality_year SET batch_ratio = 1.2 WHERE locality_code = '310000' AND year < 2025")
    results = {r.name.split(".")[2]: r for r in record_dbt_results(warehouse, _run_results(), "run-dbt", _manifest())}
    assert set(results) == {
        "unique_coverage_key",
        "accepted_range_batch_ratio",
        "not_null_filing_rate",
        "relationships_locality",
        "expression_is_true_delta",
    }  # the model node is not a test
    passed = {name: (r.severity, r.passed) for name, r in results.items()}
    assert passed == {
        "unique_coverage_key": ("block", True),
        "accepted_range_batch_ratio": ("block", False),
        "not_null_filing_rate": ("warn", False),
        "relationships_locality": ("warn", False),  # error counts as failed, at its configured severity
        "expression_is_true_delta": ("block", False),  # skipped: not verified, so failed
    }
    failed = results["accepted_range_batch_ratio"]
    assert failed.observed == 2 and failed.table == "marts.coverage_by_locality_year"
    assert "2 failing row(s)" in failed.message and failed.table in failed.message
    assert len(failed.failing_sample) == 2 and failed.failing_sample[0]["batch_ratio"] == 1.2
    assert "Catalog Error" in results["relationships_locality"].message
    assert {r.name for r in blocking_failures(list(results.values()))} == {
        results["accepted_range_batch_ratio"].name,
        results["expression_is_true_delta"].name,
    }
    rows = warehouse.execute(
        "SELECT severity, passed, observed_value, failing_sample, origin FROM audit.check_results WHERE run_id = 'run-dbt'"
    ).fetchall()
    assert len(rows) == 5 and {row[4] for row in rows} == {"dbt"}
    assert sorted(len(json.loads(row[3])) for row in rows) == [0, 0, 0, 0, 2]


def test_without_a_manifest_status_decides_severity(warehouse):
    results = {r.name.split(".")[2]: r for r in record_dbt_results(warehouse, _run_results(), "run-dbt2")}
    assert results["not_null_filing_rate"].severity == "warn"
    assert results["accepted_range_batch_ratio"].severity == "block"
    assert results["accepted_range_batch_ratio"].table is None


def test_failing_sql_of_a_dbt_test_runs_in_any_copy_of_the_build(warehouse):
    """dbt writes "<build catalog>".marts.x; the recorded query must run in the published copy too."""
    catalog = warehouse.execute("SELECT current_database()").fetchall()[0][0]
    sql = f'select * from "{catalog}"."marts"."coverage_by_locality_year" where batch_ratio > 1'
    results = {"metadata": {}, "results": [_test("ratio_range", "fail", 0, sql)]}
    (result,) = record_dbt_results(warehouse, results, "run-catalog")
    assert catalog not in result.failing_sql
    assert result.failing_sql == 'select * from "marts"."coverage_by_locality_year" where batch_ratio > 1'
    warehouse.execute(result.failing_sql).fetchall()
