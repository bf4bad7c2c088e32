"""The catalogue, on the ground floor: every raw, audit and mart column once, every vocabulary once,
and the audit tables' DDL — what dbt docs, the raw DDL, report labels, docs tables and test
fixtures are generated from or read from (architecture.md; issue 15).

The data lives in three YAML files beside this module:
- columns.yml   `fields` (one entry per column name: type, zh/en label, doc, unit, display) and
                `tables` (each table's columns in order, with what differs for that table)
- vocabularies.yml  each coded vocabulary once (codes with zh/en labels)
- texts.yml     longer texts a rule needs outside SQL (the effectiveness-index formula)

A column of a table is its field with the table's overrides on top (PUDL's fields plus
per-resource overrides). This module imports nothing from the rooms above it.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent
COLUMNS_YML = HERE / "columns.yml"
VOCABULARIES_YML = HERE / "vocabularies.yml"
TEXTS_YML = HERE / "texts.yml"
LANGS = ("zh", "en")


@dataclass(frozen=True)
class Column:
    table: str  # schema.table
    name: str
    type: str  # DuckDB type as the warehouse holds it
    label_zh: str
    label_en: str
    doc_en: str
    doc_zh: str | None
    unit: str | None
    display: str | None  # how reports format it: count, pct, signed, score, index, year, date, bool, text, …
    not_null: bool  # a NOT NULL constraint in the DDL (raw and audit tables; marts rely on dbt tests)
    vocabulary: str | None  # the vocabulary its values come from

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


@dataclass(frozen=True)
class Table:
    name: str  # schema.table
    doc: str
    columns: tuple[Column, ...]

    @property
    def schema(self) -> str:
        return self.name.split(".", 1)[0]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(f"{self.name}.{name} is not in the catalogue")


@dataclass(frozen=True)
class Term:
    code: str
    label_zh: str
    label_en: str
    doc: str | None = None

    def label(self, lang: str) -> str:
        return self.label_zh if lang == "zh" else self.label_en


def _load(path: Path) -> dict:
    # libyaml's loader when PyYAML has it: columns.yml takes ~0.4 s CPU to read in pure Python, paid
    # by every process that labels a column (the report, the CLI's --help)
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    return yaml.load(path.read_text(encoding="utf-8"), Loader=loader) or {}


@lru_cache(maxsize=1)
def _columns_yml() -> dict:
    return _load(COLUMNS_YML)


def _doc(value) -> tuple[str, str | None]:
    if isinstance(value, dict):
        return str(value.get("en") or "").strip(), (str(value["zh"]).strip() if value.get("zh") else None)
    return str(value or "").strip(), None


def _column(table: str, name: str, field: dict, override: dict) -> Column:
    entry = {**field, **(override or {})}
    label = entry.get("label") or {}
    doc_en, doc_zh = _doc(entry.get("doc"))
    return Column(
        table=table, name=name, type=str(entry.get("type") or "VARCHAR"),
        label_zh=str(label.get("zh") or name), label_en=str(label.get("en") or name),
        doc_en=doc_en, doc_zh=doc_zh, unit=entry.get("unit"), display=entry.get("display"),
        not_null=bool(entry.get("not_null", False)), vocabulary=entry.get("vocabulary"),
    )


@lru_cache(maxsize=1)
def tables() -> dict[str, Table]:
    """Every catalogued table by schema.table, columns in their order in the table."""
    data = _columns_yml()
    fields = data.get("fields") or {}
    out = {}
    for tname, t in (data.get("tables") or {}).items():
        cols = tuple(_column(tname, c, fields.get(c) or {}, o or {}) for c, o in (t.get("columns") or {}).items())
        out[tname] = Table(tname, str(t.get("doc") or "").strip(), cols)
    return out


def table(name: str) -> Table:
    return tables()[name]


def fields() -> dict[str, dict]:
    """The shared definition of each column name (before any table's override)."""
    return dict(_columns_yml().get("fields") or {})


def label(name: str, lang: str) -> str:
    """A column name's label in `lang` (the field's: the same header wherever the column appears)."""
    if lang not in LANGS:
        raise ValueError(f"unknown language {lang!r}; expected one of {LANGS}")
    field = (_columns_yml().get("fields") or {})[name]
    return str(field["label"][lang])


def schemas() -> dict[str, str]:
    """Each schema's description (the raw layer's contract text heads raw_schema.sql)."""
    return {k: str(v).strip() for k, v in (_columns_yml().get("schemas") or {}).items()}


def create_table_sql(name: str, *, if_not_exists: bool = True) -> str:
    """CREATE TABLE for a catalogued table: one line per column, its doc as a comment. NOT NULL only
    where the catalogue says so (raw and audit tables; a mart's constraints are its dbt tests)."""
    t = table(name)
    width = max(len(_quoted(c.name)) for c in t.columns)
    lines = []
    for i, c in enumerate(t.columns):
        decl = f"    {_quoted(c.name).ljust(width)}  {_portable(c.type)}{' NOT NULL' if c.not_null else ''}"
        decl += "," if i < len(t.columns) - 1 else ""
        doc = " ".join(c.doc_en.split())
        lines.append(f"{decl.ljust(width + 28)}  -- {doc}" if doc else decl)
    head = f"CREATE TABLE {'IF NOT EXISTS ' if if_not_exists else ''}{name} ("
    return head + "\n" + "\n".join(lines) + "\n);"


def _portable(sql_type: str) -> str:
    """The type as both engines spell it: DuckDB's DOUBLE is DOUBLE PRECISION in PostgreSQL (and an
    alias of DOUBLE in DuckDB), so the same DDL creates the raw and audit tables on either."""
    return "DOUBLE PRECISION" if sql_type == "DOUBLE" else sql_type


_RESERVED = {"check", "table", "column"}  # keywords DuckDB and PostgreSQL need quoted as names


def _quoted(name: str) -> str:
    return f'"{name}"' if name in _RESERVED else name


@lru_cache(maxsize=1)
def vocabularies() -> dict[str, tuple[Term, ...]]:
    """Each vocabulary's terms, in their order (codes as stored in the warehouse)."""
    out = {}
    for vname, v in _load(VOCABULARIES_YML).items():
        out[vname] = tuple(
            Term(str(code), str(t["zh"]), str(t["en"]), t.get("doc"))
            for code, t in (v.get("terms") or {}).items()
        )
    return out


def vocabulary(name: str) -> tuple[Term, ...]:
    return vocabularies()[name]


def codes(name: str) -> tuple[str, ...]:
    """The codes of a vocabulary, in order: e.g. codes('qualification')."""
    return tuple(t.code for t in vocabulary(name))


def term_label(vocab: str, code, lang: str) -> str | None:
    """The label of `code` in vocabulary `vocab`, None when the code is not in it."""
    for t in vocabulary(vocab):
        if t.code == str(code):
            return t.label(lang)
    return None


@lru_cache(maxsize=1)
def _texts() -> dict:
    return _load(TEXTS_YML)


def text(name: str, lang: str) -> str:
    """A catalogued text, e.g. text('effectiveness_index_formula', 'zh')."""
    return str(_texts()[name][lang]).strip()
