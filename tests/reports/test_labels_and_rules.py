"""The label catalogue is complete in both languages and covers every label the templates use; the
small display rules (list-status labels, formula lookup, number formats) behave as documented."""
from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import duckdb
import pytest

from pilotdw.reports import labels
from pilotdw.reports.formatting import fmt
from pilotdw.reports.formula import effectiveness_formula
from pilotdw.reports.timeliness import list_status
from pilotdw.reports.warehouse import Warehouse

TEMPLATES = Path(labels.__file__).parent / "templates"


def test_every_entry_has_both_languages():
    for key, pair in labels.catalogue_keys().items():
        assert len(pair) == 2 and all(isinstance(s, str) for s in pair), key
        if key not in ("none_value", "unit_enterprises", "unit_localities"):
            assert pair[0] and pair[1], key
        assert not re.search(r"[\u4e00-\u9fff]", pair[1]) or key == "notice", key


def test_templates_use_only_catalogued_labels():
    source = "\n".join(p.read_text(encoding="utf-8") for p in TEMPLATES.glob("*.html"))
    keys = set(re.findall(r"\bt\('([a-z0-9_]+)'\s*[,)]", source))
    keys |= {f"status_{s}" for s in ("on_time", "late", "no_date", "no_list")}  # built as 'status_' ~ status
    columns = set(re.findall(r"\bcol\('([a-z0-9_]+)'\s*\)", source))
    assert keys and columns
    for key in keys:
        labels.text(key, "zh"), labels.text(key, "en")
    for name in columns:
        labels.column(name, "zh"), labels.column(name, "en")


def test_sheet_names_are_valid_for_excel():
    for key in labels.SHEETS:
        for lang in labels.LANGS:
            name = labels.sheet(key, lang)
            assert 0 < len(name) <= 31 and not set(name) & set("[]:*?/\\"), name


def test_formats():
    assert fmt(0.33333, "pct") == "33.3%"
    assert fmt(1234567, "count") == "1,234,567"
    assert fmt(None, "pct") == "—"
    assert fmt(-2.25, "signed") == "-2.2" or fmt(-2.25, "signed") == "-2.3"
    assert fmt(8.61, "signed") == "+8.6"
    assert fmt(True, "bool", "zh") == "是" and fmt(False, "bool", "en") == "No"


def test_list_status_labels_the_marts_verdict_without_judging_dates():
    # the verdict is list_on_time; a date after list_deadline does not make an on-time year late
    deadline = dt.date(2024, 3, 31)
    row = {"year": 2024, "list_deadline": deadline}
    assert list_status({**row, "list_on_time": True, "list_submitted_on": dt.date(2024, 3, 31)}) == "on_time"
    assert list_status({**row, "list_on_time": True, "list_submitted_on": dt.date(2024, 5, 1)}) == "on_time"
    assert list_status({**row, "list_on_time": False, "list_submitted_on": dt.date(2024, 4, 1)}) == "late"
    assert list_status({**row, "list_on_time": True, "list_submitted_on": None}) == "no_date"
    assert list_status({**row, "list_on_time": None, "list_submitted_on": None}) == "no_list"
    with pytest.raises(KeyError):  # a mart without the verdict is an error, not a guess
        list_status({**row, "list_submitted_on": dt.date(2024, 3, 1)})


@pytest.fixture
def bare_con(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE SCHEMA marts; CREATE TABLE marts.regional_effectiveness (effectiveness_index DOUBLE)")
    yield con
    con.close()


def test_formula_from_warehouse_comment_then_dbt_yaml_then_docs(bare_con, tmp_path):
    root = tmp_path / "project"
    assert effectiveness_formula(Warehouse(bare_con), root) is None
    (root / "docs").mkdir(parents=True)
    (root / "docs" / "metrics.md").write_text(
        "# Metrics\n\n## Effectiveness index\n\nindex = 50 × a + 50 × b\n\n## Other\n\nnot this\n", encoding="utf-8")
    assert effectiveness_formula(Warehouse(bare_con), root) == "index = 50 × a + 50 × b"
    models = root / "dbt_project" / "models" / "marts"
    models.mkdir(parents=True)
    (models / "marts.yml").write_text(
        "version: 2\nmodels:\n  - name: regional_effectiveness\n    columns:\n"
        "      - name: effectiveness_index\n        description: 'from yaml: 100 × c'\n", encoding="utf-8")
    assert effectiveness_formula(Warehouse(bare_con), root) == "from yaml: 100 × c"
    (models / "marts.yml").write_text(
        "version: 2\nmodels:\n  - name: regional_effectiveness\n    description: >\n"
        "      One row per locality.\n      effectiveness_index (0-100) = 100 × Σ wᵢ·cᵢ / Σ wᵢ,\n"
        "      weights coverage 0.30.\n    columns:\n      - name: effectiveness_index\n"
        "        description: short\n", encoding="utf-8")
    assert effectiveness_formula(Warehouse(bare_con), root) == \
        "effectiveness_index (0-100) = 100 × Σ wᵢ·cᵢ / Σ wᵢ, weights coverage 0.30."
    bare_con.execute("COMMENT ON COLUMN marts.regional_effectiveness.effectiveness_index IS 'from warehouse'")
    assert effectiveness_formula(Warehouse(bare_con), root) == "from warehouse"
