"""thresholds.yml against metrics.md "Gates", without running Great Expectations."""
from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from pilotdw import settings
from pilotdw.expectations import checks, plans
from pilotdw.expectations.checks import check_specs, specs_by_name

# metrics.md, "Gates": severity and threshold of each gate as the spec states them.
GATES = {
    "source_files_rejected": ("block", 0),
    "quarantine_share": ("block", 0.02),
    "eligible_base_drop": ("block", 0.20),
    "pilot_unmatched_share": ("warn", 0.05),
    "pilot_list_deadline": ("warn", 0),
    "filing_rate_low": ("warn", 0.80),
    "indicator_tenfold_change": ("warn", 10),
    "register_locality_mismatch": ("warn", 0),
    "pilot_locality_mismatch": ("warn", 0),
}
# metrics.md: the analysts' tables and their keys.
MART_KEYS = {
    "marts.coverage_by_locality_year": ["locality_code", "year"],
    "marts.participation_by_locality_year": ["locality_code", "year"],
    "marts.enterprise_improvement": ["uscc", "year"],
    "marts.regional_effectiveness": ["locality_code", "year"],
    "marts.national_summary": ["year"],
}
# metrics.md: every ratio column (fractions in [0, 1]) and every score column (0-100) of the marts.
RATIOS = {
    ("marts.coverage_by_locality_year", c) for c in ("batch_ratio", "cumulative_coverage", "target_coverage")
} | {
    ("marts.participation_by_locality_year", c) for c in ("initial_assessment_rate", "filing_rate", "graded_rate")
} | {
    ("marts.regional_effectiveness", c) for c in ("share_improved", "filing_rate", "cumulative_coverage")
} | {("marts.national_summary", c) for c in ("cumulative_coverage", "filing_rate", "share_improved")}
SCORES = {
    ("marts.enterprise_improvement", "baseline_score"),
    ("marts.enterprise_improvement", "latest_score"),
    ("marts.regional_effectiveness", "effectiveness_index"),
    ("raw.assessments", "total_score"),
}


def test_every_gate_of_metrics_md_has_a_check_with_its_severity_and_threshold():
    specs = {s.name: s for s in check_specs()}
    for name, (severity, threshold) in GATES.items():
        assert name in specs, name
        assert (specs[name].severity, specs[name].threshold) == (severity, pytest.approx(threshold)), name


def test_every_mart_key_is_guarded_by_a_blocking_uniqueness_check():
    keys = {s.table: s.params["columns"] for s in check_specs() if s.kind == "key_unique"}
    for table, key in MART_KEYS.items():
        assert keys.get(table) == key, table
    assert all(s.severity == "block" for s in check_specs() if s.kind == "key_unique")


def test_every_ratio_and_score_column_is_range_checked_and_blocks():
    guarded: dict[tuple[str, str], tuple[float, float, str]] = {}
    for spec in check_specs():
        if spec.kind == "values_between" and "columns" in spec.params:
            for column in spec.params["columns"]:
                guarded[(spec.table, column)] = (spec.params.get("min"), spec.params.get("max"), spec.severity)
    for column in RATIOS:
        assert guarded.get(column) == (0, 1, "block"), column
    for column in SCORES:
        assert guarded.get(column) == (0, 100, "block"), column


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
        specs_by_name(["coverage_key_unique", "no_such_check"])


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
