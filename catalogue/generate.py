"""Write the files generated from the catalogue, or check that they are current (--check).

    python -m pilotdw.catalogue.generate [--check]      (make catalogue)

- dbt_project/models/_catalogue_docs.md   one `{% docs %}` block per catalogued table and column
- the dbt YAML (marts models, raw and audit sources): each catalogued description becomes
  `"{{ doc('<schema>__<table>[__<column>]') }}"`; tests and everything else are left as they are
- sources/raw_schema.sql                  the raw tables, audit.loads and audit.quarantine
- docs/metrics.md                         the column tables between the catalogue markers
- the dbt YAML's accepted_values lists     each column with a catalogue vocabulary tests exactly its codes
- dbt_project/seeds/assessment_kinds.csv   the assessment_kind vocabulary (codes in same-day order, labels)
audit.builds and audit.check_results are created from the catalogue at run time
(`catalogue.create_table_sql`), so they have no generated file.
"""
from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

from pilotdw import catalogue
from pilotdw.catalogue import Column, Table

ROOT = catalogue.HERE.parent  # the checkout (catalogue/ sits beside dbt_project/, sources/, docs/)
DBT_MODELS = ROOT / "dbt_project" / "models"
DOCS_MD = DBT_MODELS / "_catalogue_docs.md"
RAW_SCHEMA_SQL = ROOT / "sources" / "raw_schema.sql"
METRICS_MD = ROOT / "docs" / "metrics.md"
ASSESSMENT_KINDS_CSV = ROOT / "dbt_project" / "seeds" / "assessment_kinds.csv"
RAW_SCHEMA_TABLES = ("raw.registers", "raw.pilots", "raw.assessments", "raw.filings", "audit.loads", "audit.quarantine")
BEGIN, END = "<!-- catalogue:columns:begin -->", "<!-- catalogue:columns:end -->"
GENERATED = "generated from catalogue/ by `python -m pilotdw.catalogue.generate` (make catalogue): edit the catalogue, not this"


def doc_name(table: str, column: str | None = None) -> str:
    return table.replace(".", "__") + (f"__{column}" if column else "")


def column_doc(c: Column) -> str:
    """The text of a column's dbt doc block: labels, definition, unit, vocabulary, Chinese doc."""
    out = f"{c.label_zh} / {c.label_en}: {c.doc_en}".rstrip(": ")
    if c.unit:
        out += f" [{c.unit}]"
    if c.vocabulary:
        terms = catalogue.vocabulary(c.vocabulary)
        out += " Values: " + ", ".join(f"{t.code} ({t.label_zh})" for t in terms) + "."
    if c.doc_zh:
        out += f"\n\n{c.doc_zh}"
    return out


def docs_md() -> str:
    parts = [f"{{# {GENERATED} file. #}}\n"]
    for t in catalogue.tables().values():
        parts.append(f"{{% docs {doc_name(t.name)} %}}\n{t.doc}\n{{% enddocs %}}\n")
        for c in t.columns:
            parts.append(f"{{% docs {doc_name(t.name, c.name)} %}}\n{column_doc(c)}\n{{% enddocs %}}\n")
    return "\n".join(parts)


# ---- dbt YAML: descriptions → doc() references ---------------------------------------------------
_KEY = re.compile(r"^(\s*)([A-Za-z_]+):\s*(.*)$")
_ITEM = re.compile(r"^(\s*)- (?:name:\s*(\S+)\s*$)?")


def _target(path: list[tuple[str | None, str | None]]) -> str | None:
    """The doc name for a description at `path` (list key, item name), None when not catalogued."""
    if any(name is None for _, name in path):
        return None
    keys = [k for k, _ in path]
    names = [n for _, n in path]
    if keys[:1] == ["models"] and len(path) in (1, 2) and keys[1:] in ([], ["columns"]):
        table = f"marts.{names[0]}"
    elif keys[:2] == ["sources", "tables"] and len(path) in (2, 3) and keys[2:] in ([], ["columns"]):
        table = f"{names[0]}.{names[1]}"
        names = names[1:]
    else:
        return None
    t = catalogue.tables().get(table)
    if t is None:
        return None
    if len(names) == 1:
        return doc_name(table)
    return doc_name(table, names[1]) if names[1] in {c.name for c in t.columns} else None


def rewrite_yaml(text: str) -> str:
    """`text` with each catalogued model, source table and column description replaced by its doc()
    reference. Line-based, so comments, tests and layout stay byte for byte."""
    lines = text.splitlines(keepends=True)
    keys: dict[int, str] = {}
    items: dict[int, tuple[str | None, str | None]] = {}
    out, i = [], 0
    while i < len(lines):
        line = lines[i]
        stripped = line.strip()
        if not stripped or stripped.startswith("#"):
            out.append(line)
            i += 1
            continue
        indent = len(line) - len(line.lstrip())
        item = _ITEM.match(line)
        if item:
            items = {k: v for k, v in items.items() if k < indent}
            keys = {k: v for k, v in keys.items() if k <= indent}
            items[indent] = (keys.get(indent - 2), item.group(2))
            out.append(line)
            i += 1
            continue
        key = _KEY.match(line)
        if key:
            items = {k: v for k, v in items.items() if k < indent}
            keys = {k: v for k, v in keys.items() if k < indent}
            keys[indent] = key.group(2)
            if key.group(2) == "description":
                value = key.group(3).strip()
                end = i + 1
                multiline = value[:1] in (">", "|") or (value[:1] in "\"'" and not _closed(value))
                if multiline:
                    while end < len(lines) and (not lines[end].strip() or len(lines[end]) - len(lines[end].lstrip()) > indent):
                        end += 1
                path = [items[k] for k in sorted(items)]
                name = _target(path)
                if name:
                    out.append(f"{' ' * indent}description: \"{{{{ doc('{name}') }}}}\"\n")
                    i = end
                    continue
        out.append(line)
        i += 1
    return "".join(out)


_NAME = re.compile(r"^\s*- name:\s*(\S+)\s*$")
_VALUES = re.compile(r"^(\s*)values:\s*\[.*\]\s*$")


def vocabulary_of(column: str) -> str | None:
    """The vocabulary a column name's values come from (its catalogue field), None when it has none."""
    return (catalogue.fields().get(column) or {}).get("vocabulary")


def rewrite_accepted_values(text: str) -> str:
    """`text` with the `values: [...]` list of each accepted_values test on a column that has a
    catalogue vocabulary replaced by the vocabulary's codes (one line each, flow style)."""
    out, column, armed = [], None, False
    for line in text.splitlines(keepends=True):
        name = _NAME.match(line)
        if name:
            column, armed = name.group(1), False
        elif "accepted_values:" in line:
            armed = True
        else:
            values = _VALUES.match(line)
            if values and armed and column and vocabulary_of(column):
                line = f"{values.group(1)}values: [{', '.join(catalogue.codes(vocabulary_of(column)))}]\n"
                armed = False
        out.append(line)
    return "".join(out)


def assessment_kinds_csv() -> str:
    """The seed of the assessment kinds: code, same-day precedence (the vocabulary's order), labels."""
    rows = ["kind,same_day_precedence,name_zh,name_en"]
    rows += [f"{t.code},{i},{t.label_zh},{t.label_en}" for i, t in enumerate(catalogue.vocabulary("assessment_kind"), start=1)]
    return "\n".join(rows) + "\n"


def _closed(value: str) -> bool:
    q = value[0]
    return len(value) > 1 and value.rstrip().endswith(q)


def yaml_files() -> list[Path]:
    return sorted(p for p in DBT_MODELS.rglob("*.yml") if "target" not in p.parts)


# ---- raw DDL -------------------------------------------------------------------------------------
def raw_schema_sql() -> str:
    head = "\n".join(f"-- {line}".rstrip() for line in catalogue.schemas().get("raw", "").splitlines())
    parts = [f"-- The raw layer and its audit tables: {GENERATED} file.\n--\n{head}\n",
             "CREATE SCHEMA IF NOT EXISTS raw;\nCREATE SCHEMA IF NOT EXISTS audit;\n"]
    for name in RAW_SCHEMA_TABLES:
        t = catalogue.table(name)
        doc = " ".join(t.doc.split())
        parts.append(f"-- {name}: {doc}\n{catalogue.create_table_sql(name)}\n")
    return "\n".join(parts)


# ---- docs/metrics.md -----------------------------------------------------------------------------
def _cell(text: str | None) -> str:
    return " ".join(str(text or "").split()).replace("|", "\\|")


def column_table(t: Table) -> str:
    rows = [f"#### `{t.name}`\n", _cell(t.doc) + "\n",
            "| column | type | 中文 | English | unit | definition |", "|---|---|---|---|---|---|"]
    for c in t.columns:
        doc = c.doc_en + (f" Values: {', '.join(catalogue.codes(c.vocabulary))}." if c.vocabulary else "")
        rows.append(f"| {c.name} | {c.type} | {_cell(c.label_zh)} | {_cell(c.label_en)} | {_cell(c.unit)} | {_cell(doc)} |")
    return "\n".join(rows) + "\n"


def metrics_section() -> str:
    body = [BEGIN, f"<!-- {GENERATED} section. -->\n"]
    for schema in ("marts", "raw", "audit"):
        body.extend(column_table(t) for t in catalogue.tables().values() if t.schema == schema)
    body.append(END)
    return "\n".join(body)


def metrics_md(current: str) -> str:
    if BEGIN not in current or END not in current:
        raise SystemExit(f"{METRICS_MD}: the markers {BEGIN} … {END} are missing")
    before, rest = current.split(BEGIN, 1)
    _, after = rest.split(END, 1)
    return before + metrics_section() + after


# ---- driver --------------------------------------------------------------------------------------
def outputs() -> dict[Path, str]:
    """Every generated file and the text it should have."""
    out = {DOCS_MD: docs_md(), RAW_SCHEMA_SQL: raw_schema_sql(),
           METRICS_MD: metrics_md(METRICS_MD.read_text(encoding="utf-8")),
           ASSESSMENT_KINDS_CSV: assessment_kinds_csv()}
    for path in yaml_files():
        text = path.read_text(encoding="utf-8")
        new = rewrite_accepted_values(rewrite_yaml(text))
        if new != text or "{{ doc(" in text or "accepted_values:" in text:
            out[path] = new
    return out


def stale() -> list[Path]:
    return [p for p, text in outputs().items() if not p.is_file() or p.read_text(encoding="utf-8") != text]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="write (or --check) the files generated from the catalogue")
    ap.add_argument("--check", action="store_true", help="only report stale files; exit 1 if any")
    args = ap.parse_args(argv)
    if args.check:
        found = stale()
        for p in found:
            print(f"stale: {p.relative_to(ROOT)} (run `make catalogue`)", file=sys.stderr)
        return 1 if found else 0
    for path, text in outputs().items():
        if not path.is_file() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            print(f"wrote {path.relative_to(ROOT)}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
