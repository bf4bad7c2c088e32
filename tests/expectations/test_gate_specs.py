"""thresholds.yml against metrics.md "Gates", without running Great Expectations."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from pilotdw import settings
from pilotdw.expectations import checks, plans
from pilotdw.expectations.checks import check_specs, specs_by_name

# metrics.md, "Gates": the gates that are GX checks (thresholds.yml), with severity and threshold.
GATES = {
    "source_files_rejected": ("block", 0),
    "quarantine_share": ("block", 0.02),
    "eligible_base_drop": ("block", 0.20),
    "pilot_unmatched_share": ("warn", 0.05),
    "pilot_list_deadline": ("warn", 0),
    "filing_rate_low": ("warn", 0.80),
    "indicator_tenfold_change": ("warn", 10),
    # metrics.md "Pilot effect": the parallel-trends warning and the interval block
    "pilot_effect_pre_trend": ("warn", 0.05),
    "pilot_effect_interval_consistent": ("block", 0),
}
# metrics.md: the analysts' tables and their keys.
MART_KEYS = {
    "coverage_by_locality_year": ["locality_code", "year"],
    "participation_by_locality_year": ["locality_code", "year"],
    "enterprise_improvement": ["uscc", "year"],
    "regional_effectiveness": ["locality_code", "year"],
    "national_summary": ["year"],
    "dim_locality": ["locality_code"],
    "dim_enterprise": ["uscc"],
    "fct_pilot_membership": ["pilot_row_id"],
}
# metrics.md: every ratio column (fractions in [0, 1]) and every score column (0-100) of the marts.
RATIOS = {
    ("coverage_by_locality_year", c) for c in ("batch_ratio", "cumulative_coverage", "target_coverage")
} | {
    ("participation_by_locality_year", c) for c in ("initial_assessment_rate", "filing_rate", "graded_rate")
} | {
    ("regional_effectiveness", c) for c in ("share_improved", "filing_rate", "cumulative_coverage")
} | {("national_summary", c) for c in ("cumulative_coverage", "filing_rate", "share_improved")}
SCORES = {
    ("enterprise_improvement", "baseline_score"),
    ("enterprise_improvement", "latest_score"),
    ("regional_effectiveness", "effectiveness_index"),
    ("stg_raw__assessments", "total_score"),
}
# The whole-table kinds state a fact about the rows of one table: for a dbt model that is a dbt test.
ROW_FACT_KINDS = {"key_unique", "values_between", "values_in_set", "values_not_in_set"}
DBT_SCHEMAS = ("staging", "intermediate", "marts")


def _dbt_tests() -> list[dict]:
    """The data tests of one dbt model each (manifest of make setup's dbt parse), with that model."""
    manifest = json.loads((settings.DBT_PROJECT_DIR / "target" / "manifest.json").read_text(encoding="utf-8"))
    tests = []
    for node in manifest["nodes"].values():
        if node["resource_type"] != "test":
            continue
        models = [d.split(".")[-1] for d in node["depends_on"]["nodes"] if d.startswith("model.")]
        if len(set(models)) != 1:  # seeds' tests, relationships, singular tests across models
            continue
        meta = node.get("test_metadata") or {}
        tests.append({
            "name": meta.get("name") or node["name"], "kwargs": meta.get("kwargs") or {},
            "column": node.get("column_name"), "models": models[:1],
            "severity": str(node["config"].get("severity", "error")).lower(),
        })
    return tests


def test_every_gate_of_metrics_md_has_a_check_with_its_severity_and_threshold():
    specs = {s.name: s for s in check_specs()}
    assert set(specs) == set(GATES)
    for name, (severity, threshold) in GATES.items():
        assert (specs[name].severity, specs[name].threshold) == (severity, pytest.approx(threshold)), name


def test_no_gx_check_restates_a_row_fact_of_a_dbt_model():
    # docs/quality-gates.md, "Which door": keys, ranges, vocabularies and row flags of a dbt model
    # are its dbt tests; checking them in GX too would report every such finding twice
    doubled = [s.name for s in check_specs() if s.kind in ROW_FACT_KINDS and s.table.split(".")[0] in DBT_SCHEMAS]
    assert doubled == []


def test_every_mart_key_is_guarded_by_a_blocking_dbt_test():
    guarded = set()
    for t in _dbt_tests():
        if t["severity"] != "error":
            continue
        if t["name"] == "unique":
            guarded.add((t["models"][0], (t["column"],)))
        elif t["name"] == "unique_combination_of_columns":
            guarded.add((t["models"][0], tuple(t["kwargs"]["combination_of_columns"])))
    not_null = {(t["models"][0], t["column"]) for t in _dbt_tests() if t["name"] == "not_null" and t["severity"] == "error"}
    for model, key in MART_KEYS.items():
        assert (model, tuple(key)) in guarded, model
        assert all((model, c) in not_null for c in key), model


def test_every_ratio_and_score_column_is_range_checked_by_a_blocking_dbt_test():
    guarded = {
        (t["models"][0], t["column"]): (t["kwargs"].get("min_value"), t["kwargs"].get("max_value"))
        for t in _dbt_tests() if t["name"] == "accepted_range" and t["severity"] == "error"
    }
    for column in RATIOS:
        assert guarded.get(column) == (0, 1), column
    for column in SCORES:
        assert guarded.get(column) == (0, 100), column


def test_locality_mismatches_are_one_dbt_warning_each():
    # metrics.md "Gates", warn: locality mismatches -- a row flag, so a dbt test of severity warn
    flags = [
        (t["models"][0], t["kwargs"].get("expression"), t["severity"])
        for t in _dbt_tests()
        if t["name"] == "expression_is_true"
        and any(flag in str(t["kwargs"].get("expression")) for flag in ("locality_mismatch", "locality_disagrees"))
    ]
    assert ("fct_pilot_membership", "not locality_mismatch", "warn") in flags
    assert ("stg_raw__registers", "not coalesce(locality_disagrees_with_uscc, false)", "warn") in flags
    assert len(flags) == 2


def test_every_check_has_the_fields_the_audit_needs():
    for spec in check_specs():
        assert spec.severity in ("block", "warn")
        assert spec.table.count(".") == 1
        assert spec.reason and "\n" not in spec.reason
        assert spec.label_zh and any("\u4e00" <= ch <= "\u9fff" for ch in spec.label_zh)
        assert "{" not in spec.failing_phrase()


def test_every_kind_has_exactly_one_plan_builder():
    assert set(plans._BUILDERS) == set(checks.KINDS)


def test_unknown_check_name_is_refused():
    with pytest.raises(ValueError, match="no_such_check"):
        specs_by_name(["quarantine_share", "no_such_check"])


@pytest.mark.parametrize(
    "entry, problem",
    [
        ("severity: fatal", "severity"),
        ("kind: magic", "unknown kind"),
        ("table: coverage", "schema.table"),
        ("threshold: 1", "threshold must be 0"),
    ],
)
def test_malformed_entry_is_refused(tmp_path: Path, entry: str, problem: str):
    good = {
        "name": "x",
        "kind": "values_not_in_set",
        "table": "audit.loads",
        "severity": "block",
        "threshold": "0",
        "reason": "r",
        "failing": "f",
        "label_zh": "标签",
    }
    key, value = entry.split(": ")
    good[key] = value
    body = "checks:\n  - " + "\n    ".join(f"{k}: {v}" for k, v in good.items()) + "\n"
    path = tmp_path / "thresholds.yml"
    path.write_text(body, encoding="utf-8")
    with pytest.raises(ValueError, match=problem):
        check_specs(path)


def test_importing_the_package_and_listing_checks_does_not_import_gx():
    code = (
        "import sys, pilotdw.expectations, pilotdw.expectations.checks, pilotdw.expectations.gates\n"
        "pilotdw.expectations.checks.check_specs()\n"
        "heavy = [m for m in ('great_expectations', 'pandas') if m in sys.modules]\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=settings.PROJECT_ROOT)


def test_every_check_is_documented_in_quality_gates_md():
    doc = (settings.PROJECT_ROOT / "docs" / "quality-gates.md").read_text(encoding="utf-8")
    missing = [s.name for s in check_specs() if f"`{s.name}`" not in doc]
    assert missing == []
