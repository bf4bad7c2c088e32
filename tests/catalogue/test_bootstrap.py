"""scripts/catalogue_bootstrap.py, the one-off the lead runs after merging branches that added
columns the old way: it adds what appeared, takes newer YAML docs and report labels, keeps the rest."""
from __future__ import annotations

import importlib.util
import shutil
from pathlib import Path

import duckdb
import yaml

from pilotdw.catalogue import generate

ROOT = generate.ROOT
SPEC = importlib.util.spec_from_file_location("catalogue_bootstrap", ROOT / "scripts" / "catalogue_bootstrap.py")
bootstrap = importlib.util.module_from_spec(SPEC)
SPEC.loader.exec_module(bootstrap)

MARTS_YML = """version: 2
models:
  - name: coverage_by_locality_year
    columns:
      - name: made_up_flag
        description: "样本过少 / fewer than 5 pilots with a score change"
        data_tests: [not_null]
      - name: on_track
        description: "{{ doc('marts__coverage_by_locality_year__on_track') }}"
  - name: made_up_mart
    description: "试点效果 / the causal estimate of the pilot's effect"
    columns:
      - name: made_up_att
        description: "平均处理效应 / average treatment effect on the treated"
      - name: method
        description: "估计方法 / estimator"
        data_tests:
          - accepted_values:
              arguments:
                values: [callaway_santanna, twfe]
"""
LABELS_PY = '''_COLUMNS: dict[str, tuple[str, str]] = {
    "made_up_att": ("平均效应", "Average effect"),
    "eligible_base": ("符合条件企业数", "Eligible enterprises"),
}
'''


def _checkout(tmp_path: Path) -> tuple[Path, Path]:
    root, cat = tmp_path / "root", tmp_path / "catalogue"
    (root / "dbt_project" / "models" / "marts").mkdir(parents=True)
    (root / "reports").mkdir()
    (root / "dbt_project" / "models" / "marts" / "_marts.yml").write_text(MARTS_YML, encoding="utf-8")
    (root / "reports" / "labels.py").write_text(LABELS_PY, encoding="utf-8")
    shutil.copytree(ROOT / "catalogue", cat)
    return root, cat


def test_bootstrap_adds_new_columns_and_keeps_the_rest(tmp_path):
    root, cat = _checkout(tmp_path)
    wh = tmp_path / "w.duckdb"
    with duckdb.connect(str(wh)) as con:
        con.execute("CREATE SCHEMA marts; CREATE TABLE marts.made_up_mart (method VARCHAR, made_up_att DOUBLE, n_pilots BIGINT)")
    before = yaml.safe_load((cat / "columns.yml").read_text(encoding="utf-8"))
    assert bootstrap.main(["--root", str(root), "--catalogue", str(cat), "--warehouse", str(wh)]) == 0
    after = yaml.safe_load((cat / "columns.yml").read_text(encoding="utf-8"))

    # new: the table in warehouse order, its fields with the report label or the YAML's Chinese term
    assert list(after["tables"]["marts.made_up_mart"]["columns"]) == ["method", "made_up_att", "n_pilots"]
    assert after["fields"]["made_up_att"]["label"] == {"zh": "平均效应", "en": "Average effect"}
    assert after["fields"]["made_up_att"]["type"] == "DOUBLE" and after["fields"]["made_up_att"]["doc"] == "average treatment effect on the treated"
    assert after["fields"]["made_up_flag"]["label"]["zh"] == "样本过少"
    assert "made_up_flag" in after["tables"]["marts.coverage_by_locality_year"]["columns"]
    vocab = yaml.safe_load((cat / "vocabularies.yml").read_text(encoding="utf-8"))
    assert list(vocab["method"]["terms"]) == ["callaway_santanna", "twfe"] and after["fields"]["method"]["vocabulary"] == "method"
    # kept: everything the catalogue held, untouched where nothing newer was found
    for name, field in before["fields"].items():
        assert after["fields"][name] == field, name
    old_cov = list(before["tables"]["marts.coverage_by_locality_year"]["columns"])
    assert [c for c in after["tables"]["marts.coverage_by_locality_year"]["columns"] if c in old_cov] == old_cov
    # idempotent
    text = (cat / "columns.yml").read_text(encoding="utf-8")
    assert bootstrap.main(["--root", str(root), "--catalogue", str(cat), "--warehouse", str(wh)]) == 0
    assert (cat / "columns.yml").read_text(encoding="utf-8") == text


def test_a_plain_yaml_description_is_newer_than_the_catalogue(tmp_path):
    root, cat = _checkout(tmp_path)
    yml = root / "dbt_project" / "models" / "marts" / "_marts.yml"
    yml.write_text(MARTS_YML.replace(
        "description: \"{{ doc('marts__coverage_by_locality_year__on_track') }}\"",
        'description: "达到目标 / rewritten on another branch"'), encoding="utf-8")
    assert bootstrap.main(["--root", str(root), "--catalogue", str(cat)]) == 0
    after = yaml.safe_load((cat / "columns.yml").read_text(encoding="utf-8"))
    assert after["tables"]["marts.coverage_by_locality_year"]["columns"]["on_track"]["doc"] == "rewritten on another branch"
