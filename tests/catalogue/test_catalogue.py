"""The catalogue states each column, vocabulary and audit table once, and everything generated from
it is current; its copies elsewhere (dbt tests, gates, seeds, parsing) agree with it."""
from __future__ import annotations

import ast
import csv
import re
from pathlib import Path

import duckdb
import pytest
import yaml

from pilotdw import catalogue
from pilotdw.catalogue import generate

ROOT = generate.ROOT
TYPES = re.compile(r"^(VARCHAR|INTEGER|BIGINT|DOUBLE|BOOLEAN|DATE|TIMESTAMP|JSON|HUGEINT|DECIMAL\(\d+,\d+\))(\[\])?$")


def test_generated_files_are_current():
    stale = [str(p.relative_to(ROOT)) for p in generate.stale()]
    assert not stale, f"stale generated files {stale}: run `make catalogue`"


def test_every_column_is_complete():
    for t in catalogue.tables().values():
        assert t.doc, f"{t.name} has no doc"
        assert len({c.name for c in t.columns}) == len(t.columns), t.name
        for c in t.columns:
            where = f"{t.name}.{c.name}"
            assert TYPES.match(c.type), f"{where}: type {c.type!r}"
            assert c.label_zh and c.label_en, where
            assert re.search(r"[\u4e00-\u9fff]", c.label_zh), f"{where}: the Chinese label is a placeholder"
            assert not re.search(r"[\u4e00-\u9fff]", c.label_en), f"{where}: Chinese in the English label"
            assert c.doc_en, f"{where} has no doc"
            if c.vocabulary:
                assert catalogue.vocabulary(c.vocabulary), where
    used = {c.name for t in catalogue.tables().values() for c in t.columns}
    assert set(catalogue.fields()) == used, "every field is a column of some table"


def test_catalogue_imports_no_room_above_it():
    for path in (ROOT / "catalogue").glob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("pilotdw"):
                names = {a.name for a in node.names}
                assert node.module.startswith("pilotdw.catalogue") or (node.module == "pilotdw" and names <= {"catalogue", "settings"}), \
                    f"{path.name} imports {node.module}"


def test_audit_and_raw_ddl_are_the_catalogues(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute(generate.RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
    from pilotdw.expectations.results import CHECK_RESULTS_DDL
    from pilotdw.orchestration.publish import BUILDS_DDL

    con.execute(CHECK_RESULTS_DDL)
    con.execute(BUILDS_DDL)
    for name, t in catalogue.tables().items():
        if t.schema == "marts":
            continue
        schema, table = name.split(".")
        got = con.execute("SELECT column_name, data_type, is_nullable FROM information_schema.columns "
                          "WHERE table_schema = ? AND table_name = ? ORDER BY ordinal_position", [schema, table]).fetchall()
        assert got == [(c.name, c.type, "NO" if c.not_null else "YES") for c in t.columns], name


def test_yaml_rewrite_touches_descriptions_only():
    """Turn every doc() reference of the dbt YAML back into plain text: the generator gives the file
    back byte for byte, and the parsed YAML (tests included) is unchanged apart from descriptions."""
    for path in generate.yaml_files():
        text = path.read_text(encoding="utf-8")
        if "{{ doc(" not in text:
            continue
        plain = re.sub(r"\"\{\{ doc\('([a-z_]+)'\) \}\}\"", lambda m: f'"plain text of {m.group(1)}"', text)
        assert generate.rewrite_yaml(plain) == text, path
        folded = plain.replace('description: "plain text of marts__coverage_by_locality_year"',
                               "description: >\n      folded\n      over lines")
        assert generate.rewrite_yaml(folded) == text, path


def _accepted_values(path: Path) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    for m in doc.get("models") or []:
        for c in m.get("columns") or []:
            for test in c.get("data_tests") or []:
                if isinstance(test, dict) and "accepted_values" in test:
                    found[c["name"]] = [str(v) for v in test["accepted_values"]["arguments"]["values"]]
    return found


def test_accepted_values_are_generated_from_the_vocabularies():
    """Every accepted_values test of the dbt YAML is on a column with a catalogue vocabulary, so the
    generator writes its list (a stale list fails test_generated_files_are_current); and the
    generator does rewrite a list that drifted."""
    seen = 0
    for path in generate.yaml_files():
        for column, values in _accepted_values(path).items():
            assert generate.vocabulary_of(column), f"{path.name}: {column}'s accepted_values are not from a vocabulary"
            assert values == list(catalogue.codes(generate.vocabulary_of(column))), path.name
            seen += 1
    assert seen >= 4
    staging = ROOT / "dbt_project" / "models" / "staging" / "_staging.yml"
    text = staging.read_text(encoding="utf-8")
    drifted = text.replace("values: [initial, annual, graded]", "values: [initial, annual, graded, retest]")
    assert drifted != text and generate.rewrite_accepted_values(drifted) == text


def test_vocabulary_seeds_and_readers_use_the_catalogue():
    from pilotdw.sources import parse

    assert generate.ASSESSMENT_KINDS_CSV in generate.outputs()  # the seed is generated
    with generate.ASSESSMENT_KINDS_CSV.open(encoding="utf-8") as fh:
        assert [r["kind"] for r in csv.DictReader(fh)] == list(catalogue.codes("assessment_kind"))
    # the localities seed is the list of localities; its kinds must be the vocabulary's
    with (ROOT / "dbt_project" / "seeds" / "localities.csv").open(encoding="utf-8") as fh:
        assert {r["kind"] for r in csv.DictReader(fh)} == set(catalogue.codes("locality_kind"))
    assert parse.QUALIFICATIONS == catalogue.codes("qualification")
    assert parse.ASSESSMENT_KINDS == catalogue.codes("assessment_kind")


@pytest.mark.slow
def test_demo_warehouse_tables_match_the_catalogue(demo_run):
    """Every mart, raw and audit table of the built demo warehouse is in the catalogue with the same
    columns, in the same order, of the same types — and every catalogued table is in the warehouse."""
    assert demo_run.returncode == 0, demo_run.stderr[-3000:]
    rows = demo_run.sql(
        "SELECT table_schema || '.' || table_name, column_name, data_type FROM information_schema.columns "
        "WHERE table_schema IN ('marts', 'raw', 'audit') ORDER BY table_schema, table_name, ordinal_position")
    warehouse: dict[str, list[tuple[str, str]]] = {}
    for table, column, typ in rows:
        warehouse.setdefault(table, []).append((column, typ))
    assert set(warehouse) == set(catalogue.tables()), "tables in one and not the other"
    for name, t in catalogue.tables().items():
        assert warehouse[name] == [(c.name, c.type) for c in t.columns], name
