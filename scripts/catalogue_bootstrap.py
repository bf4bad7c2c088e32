"""Build or refresh the catalogue (catalogue/*.yml) from the places that stated columns before it.

A one-off for merges (catalogue/README.md, "Bootstrap"): it reads the dbt YAML descriptions (marts
and sources), the report column labels (reports/labels.py `_COLUMNS`), the display kinds the reports
use (reports/context.py), the raw and audit DDL (sources/raw_schema.sql, the `*_DDL` string constants
of the rooms' Python modules) and the accepted_values tests, either from the
working tree or from a git commit (`--from-ref`), plus the column types of a built warehouse
(`--warehouse`). It never drops what the catalogue holds:
- a table or column it finds and the catalogue lacks is added (in the warehouse's or DDL's order);
- a plain-text description in dbt YAML (not yet a `{{ doc(...) }}`) and a report label in
  labels.py `_COLUMNS` are newer than the catalogue, so they replace its doc / label;
- the warehouse's type of a column replaces the catalogue's;
- anything else already in the catalogue stays as it is.
Run it again and nothing changes. Then `python -m pilotdw.catalogue.generate` writes the files.

    .venv/bin/python scripts/catalogue_bootstrap.py [--from-ref REF] [--warehouse FILE.duckdb]
"""
from __future__ import annotations

import argparse
import ast
import re
import subprocess
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "catalogue"
SCHEMAS = ("raw", "audit", "marts")
ORDER = ("marts", "raw", "audit")  # marts first: a name's shared doc and label are the mart column's
DOC_REF = re.compile(r"\{\{\s*doc\(")


# ---- reading the sources -------------------------------------------------------------------------
class Tree:
    """Files of the working tree, or of a git commit."""

    def __init__(self, ref: str | None, root: Path = ROOT):
        self.ref, self.root = ref, root

    def read(self, path: str) -> str | None:
        if self.ref is None:
            p = self.root / path
            return p.read_text(encoding="utf-8") if p.is_file() else None
        got = subprocess.run(["git", "show", f"{self.ref}:{path}"], cwd=self.root, capture_output=True)
        return got.stdout.decode("utf-8") if got.returncode == 0 else None

    def files(self, folder: str, suffixes: tuple[str, ...]) -> list[str]:
        if self.ref is None:
            found = [str(p.relative_to(self.root)) for p in sorted((self.root / folder).rglob("*"))]
        else:
            out = subprocess.run(["git", "ls-tree", "-r", "--name-only", self.ref, folder], cwd=self.root,
                                 capture_output=True, text=True, check=True).stdout
            found = sorted(out.split())
        return [f for f in found if f.endswith(suffixes) and "/target/" not in f]


def split_description(text: str) -> tuple[str | None, str]:
    """'中文 / English…' → ('中文', 'English…'); a description without ' / ' is English only."""
    text = " ".join(str(text).split())
    if " / " in text and re.search(r"[\u4e00-\u9fff]", text.split(" / ", 1)[0]):
        zh, en = text.split(" / ", 1)
        return zh.strip(), en.strip()
    return None, text


def dbt_descriptions(tree: Tree) -> tuple[dict, dict, dict]:
    """(column descriptions {table: {col: text}}, table descriptions {table: text},
    accepted values {col: [values]}) from every YAML file of dbt_project/models: marts models and
    sources (raw, audit)."""
    cols: dict[str, dict[str, str]] = {}
    tables: dict[str, str] = {}
    accepted: dict[str, list] = {}
    # evaluation/*.yml: marts written by the evaluation room (marts.pilot_effect), in dbt's YAML shape
    for path in [*tree.files("dbt_project/models", (".yml", ".yaml")), *tree.files("evaluation", (".yml",))]:
        doc = yaml.safe_load(tree.read(path) or "") or {}
        entries = []
        for m in doc.get("models") or []:
            if "/marts/" in path or path.startswith("evaluation/"):
                entries.append((f"marts.{m['name']}", m))
            else:
                entries.append((None, m))
        for s in doc.get("sources") or []:
            for t in s.get("tables") or []:
                entries.append((f"{s.get('schema') or s['name']}.{t['name']}", t))
        for tname, m in entries:
            for c in m.get("columns") or []:
                for test in c.get("data_tests") or c.get("tests") or []:
                    if isinstance(test, dict) and "accepted_values" in test:
                        spec = test["accepted_values"]
                        values = (spec.get("arguments") or spec).get("values")
                        if values:
                            accepted.setdefault(c["name"], list(values))
                if tname and c.get("description") and not DOC_REF.search(str(c["description"])):
                    cols.setdefault(tname, {})[c["name"]] = str(c["description"])
            if tname and m.get("description") and not DOC_REF.search(str(m["description"])):
                tables[tname] = " ".join(str(m["description"]).split())
    return cols, tables, accepted


def module_literal(source: str | None, name: str):
    """The literal value assigned to a module-level name (e.g. `_COLUMNS` of labels.py), else None."""
    if not source:
        return None
    for node in ast.parse(source).body:
        target = node.target if isinstance(node, ast.AnnAssign) else (node.targets[0] if isinstance(node, ast.Assign) else None)
        if isinstance(target, ast.Name) and target.id == name and node.value is not None:
            try:
                return ast.literal_eval(node.value)
            except ValueError:
                return None
    return None


def ddl_strings(source: str | None) -> list[str]:
    """The string constants named *_DDL of a module."""
    if not source:
        return []
    out = []
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name) and node.targets[0].id.endswith("_DDL"):
            if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
                out.append(node.value.value)
    return out


_CREATE = re.compile(r"CREATE TABLE (?:IF NOT EXISTS )?(\w+)\.(\w+)\s*\((.*?)\n\);?", re.S)


def parse_ddl(sql: str) -> dict[str, list[dict]]:
    """{schema.table: [{name, type, not_null, doc}]} from CREATE TABLE statements with `-- comments`."""
    out = {}
    for schema, tname, body in _CREATE.findall(sql):
        cols: list[dict] = []
        for line in body.splitlines():
            code, _, comment = line.partition("--")
            comment = comment.strip()
            names = []
            for part in [p.strip() for p in code.split(",") if p.strip()]:
                m = re.match(r'"?(\w+)"?\s+(.+)$', part)
                if not m:
                    continue
                typ = m.group(2).strip()
                not_null = bool(re.search(r"\bNOT NULL\b", typ))
                typ = re.sub(r"\s*\bNOT NULL\b", "", typ).strip()
                cols.append({"name": m.group(1), "type": typ, "not_null": not_null, "doc": ""})
                names.append(m.group(1))
            if comment:
                if names:
                    cols[-1]["doc"] = comment
                elif cols:  # a comment line continuing the previous column's comment
                    cols[-1]["doc"] = f"{cols[-1]['doc']} {comment}".strip()
        out[f"{schema}.{tname}"] = cols
    return out


def provenance_docs(sql: str) -> dict[str, str]:
    """The header of raw_schema.sql documents the provenance columns: '--   name   text'."""
    docs: dict[str, str] = {}
    last = None
    for line in sql.splitlines():
        m = re.match(r"^--   (\w+)\s{2,}(.*)$", line)
        if m:
            last = m.group(1)
            docs[last] = m.group(2).strip()
        elif last and re.match(r"^--\s{10,}\S", line):
            docs[last] += " " + line[2:].strip()
        elif not line.startswith("--"):
            last = None
    return docs


def warehouse_columns(path: Path) -> dict[str, list[tuple[str, str]]]:
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        rows = con.execute(
            "SELECT table_schema, table_name, column_name, data_type FROM information_schema.columns "
            f"WHERE table_schema IN {SCHEMAS} ORDER BY table_schema, table_name, ordinal_position"
        ).fetchall()
    out: dict[str, list[tuple[str, str]]] = {}
    for schema, tname, col, typ in rows:
        out.setdefault(f"{schema}.{tname}", []).append((col, typ))
    return out


# ---- inference for new entries -------------------------------------------------------------------
def infer_display(name: str, typ: str, kinds: dict[str, str]) -> str | None:
    if name in kinds:
        return kinds[name]
    t = typ.upper()
    if t == "BOOLEAN":
        return "bool"
    if t == "DATE":
        return "date"
    if t.startswith("TIMESTAMP"):
        return "datetime"
    if name == "year" or name.endswith("_year"):
        return "year"
    if re.search(r"(_rate|_ratio|_coverage|^share_|_yoy$|_growth$|^component_)", name):
        return "pct"
    if name.endswith("score_delta"):
        return "signed"
    if name.endswith("_score"):
        return "score"
    if t in ("BIGINT", "INTEGER", "HUGEINT") or t.startswith("DECIMAL"):
        return "count"
    if t == "DOUBLE":
        return "number"
    return "text"


def infer_unit(name: str, display: str | None, doc: str) -> str | None:
    if "万元" in doc:
        return "万元"
    if display == "pct":
        return "ratio 0–1"
    if display in ("score", "signed") and "score" in name:
        return "points 0–100" if display == "score" else "points"
    if display == "count" and name.startswith("localities"):
        return "localities"
    if display == "count" and "pilots" in name or name in ("eligible_base", "assessed_initial", "filed", "graded"):
        return "enterprises"
    return None


def humanise(name: str) -> str:
    return name.replace("_", " ").capitalize()


# ---- merging into the catalogue ------------------------------------------------------------------
def load(path: Path) -> tuple[list[str], dict]:
    if not path.is_file():
        return [], {}
    text = path.read_text(encoding="utf-8")
    header = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        header.append(line)
    return header, yaml.safe_load(text) or {}


class Dumper(yaml.SafeDumper):
    pass


def _dict(dumper, data):
    short = all(isinstance(v, (str, int, float, bool)) or v is None for v in data.values()) and \
        sum(len(str(k)) + len(str(v)) for k, v in data.items()) < 70 and data
    return dumper.represent_mapping("tag:yaml.org,2002:map", data, flow_style=bool(short))


def _str(dumper, data):
    style = "|" if "\n" in data else (">" if len(data) > 110 else None)
    return dumper.represent_scalar("tag:yaml.org,2002:str", data, style=style)


Dumper.add_representer(dict, _dict)
Dumper.add_representer(type(None), lambda dumper, _: dumper.represent_scalar("tag:yaml.org,2002:null", ""))
Dumper.add_representer(str, _str)


def dump(path: Path, header: list[str], data: dict) -> None:
    body = yaml.dump(data, Dumper=Dumper, allow_unicode=True, sort_keys=False, width=110)
    path.write_text(("\n".join(header) + "\n" if header else "") + body, encoding="utf-8")


def insert_after(mapping: dict, key: str, value, after: str | None) -> dict:
    """A copy of `mapping` with key inserted after `after` (at the start when None)."""
    items = list(mapping.items())
    pos = 0 if after is None else next((i + 1 for i, (k, _) in enumerate(items) if k == after), len(items))
    items.insert(pos, (key, value))
    return dict(items)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--from-ref", help="read the old sources from this git commit (default: working tree)")
    ap.add_argument("--warehouse", type=Path, help="a built warehouse (e.g. demo_home/warehouse.duckdb) for column types")
    ap.add_argument("--root", type=Path, default=ROOT, help=argparse.SUPPRESS)  # tests: another checkout
    ap.add_argument("--catalogue", type=Path, default=CATALOGUE, help=argparse.SUPPRESS)  # tests: another catalogue
    args = ap.parse_args(argv)
    tree = Tree(args.from_ref, args.root)
    catalogue_dir = args.catalogue

    col_docs, table_docs, accepted = dbt_descriptions(tree)
    labels = module_literal(tree.read("reports/labels.py"), "_COLUMNS") or {}
    kinds = dict(re.findall(r'\("(\w+)", "(count|pct|signed|score|index|year|date|bool|text|rank)"\)',
                            tree.read("reports/context.py") or ""))
    raw_sql = tree.read("sources/raw_schema.sql") or ""
    ddl = parse_ddl(raw_sql)
    # DDL kept in Python (before the catalogue: audit.builds in orchestration/publish.py,
    # audit.check_results in expectations/results.py; any other *_DDL constant a branch added)
    for folder in ("orchestration", "expectations", "sources", "reports"):
        for path in tree.files(folder, (".py",)):
            for s in ddl_strings(tree.read(path)):
                ddl.update({k: v for k, v in parse_ddl(s).items() if k.split(".")[0] in SCHEMAS})
    prov = provenance_docs(raw_sql)
    wh = warehouse_columns(args.warehouse) if args.warehouse else {}

    header, data = load(catalogue_dir / "columns.yml")
    fields: dict = data.setdefault("fields", {}) or {}
    tables: dict = data.setdefault("tables", {}) or {}
    data["fields"], data["tables"] = fields, tables
    changes: list[str] = []

    # every table and its column order: the warehouse's, else the DDL's, else the YAML's
    order: dict[str, list[str]] = {}
    for tname in sorted(set(wh) | set(ddl) | set(col_docs), key=lambda t: (ORDER.index(t.split(".")[0]) if t.split(".")[0] in ORDER else 9, t)):
        if tname.split(".")[0] not in SCHEMAS:
            continue
        names = [c for c, _ in wh.get(tname, [])] or [c["name"] for c in ddl.get(tname, [])] or list(col_docs.get(tname, {}))
        for c in col_docs.get(tname, {}):  # documented but not (yet) in the warehouse
            if c not in names:
                names.append(c)
        order[tname] = names

    for tname, names in order.items():
        t = tables.get(tname)
        if t is None:
            t = tables[tname] = {"doc": table_docs.get(tname, ""), "columns": {}}
            changes.append(f"+ table {tname}")
        elif tname in table_docs and table_docs[tname] != t.get("doc"):
            t["doc"] = table_docs[tname]
            changes.append(f"~ doc of {tname}")
        t["columns"] = t.get("columns") or {}
        wtypes = dict(wh.get(tname, []))
        dcols = {c["name"]: c for c in ddl.get(tname, [])}
        prev = None
        for name in names:
            desc = col_docs.get(tname, {}).get(name)
            zh, en = split_description(desc) if desc else (None, "")
            d = dcols.get(name, {})
            en = en or d.get("doc") or prov.get(name, "")
            typ = wtypes.get(name) or d.get("type")
            long_zh = bool(zh) and (len(zh) > 16 or re.search(r"[：，；。]", zh))
            if name not in fields:
                label_zh = labels[name][0] if name in labels else (re.split(r"[：，；。]", zh)[0] if zh else name)
                label_en = labels[name][1] if name in labels else humanise(name)
                display = infer_display(name, typ or "", kinds)
                # UNKNOWN until a warehouse (--warehouse) or DDL tells; tests/catalogue rejects it
                f = {"type": typ or "UNKNOWN", "label": {"zh": label_zh, "en": label_en}}
                unit = infer_unit(name, display, en)
                if unit:
                    f["unit"] = unit
                if display:
                    f["display"] = display
                f["doc"] = {"en": en, "zh": zh} if long_zh else en
                fields[name] = f
                changes.append(f"+ field {name}")
            elif name in labels and [labels[name][0], labels[name][1]] != [fields[name]["label"]["zh"], fields[name]["label"]["en"]]:
                fields[name]["label"] = {"zh": labels[name][0], "en": labels[name][1]}
                changes.append(f"~ label of {name}")
            f = fields[name]
            if zh and name not in labels and f["label"]["zh"] == name:  # a placeholder label gets a real one
                f["label"]["zh"] = re.split(r"[：，；。]", zh)[0]
                changes.append(f"~ label of {name}")
            new_col = name not in t["columns"]
            o = dict(t["columns"].get(name) or {})
            if new_col:
                if d.get("not_null"):
                    o["not_null"] = True
                changes.append(f"+ column {tname}.{name}")
            # the doc: a plain YAML description is newer than the catalogue; DDL only fills a gap
            current = o.get("doc", f.get("doc"))
            cur_en = current.get("en") if isinstance(current, dict) else current
            wanted = None
            if desc:
                wanted = {"en": en, "zh": zh} if long_zh else en
            elif en and (new_col or not cur_en) and en != cur_en:
                wanted = en
            if wanted is not None and not (f.get("doc") or "") and "doc" not in o:
                f["doc"] = wanted  # the field had no doc yet: this is its first
            elif wanted is not None and wanted != current:
                if wanted == f.get("doc"):
                    o.pop("doc", None)
                else:
                    o["doc"] = wanted
                if not new_col:
                    changes.append(f"~ doc of {tname}.{name}")
            if typ and f.get("type") == "UNKNOWN":
                f["type"] = typ
                changes.append(f"~ type of {name}: {typ}")
            if typ and typ != o.get("type", f.get("type")):
                if typ == f.get("type"):
                    o.pop("type", None)
                else:
                    o["type"] = typ
                    disp = infer_display(name, typ, {})
                    if disp != f.get("display") and name not in kinds:
                        o["display"] = disp
                if not new_col:
                    changes.append(f"~ type of {tname}.{name}: {typ}")
            value = o or None
            if new_col:
                t["columns"] = insert_after(t["columns"], name, value, prev)
            else:
                t["columns"][name] = value
            prev = name

    dump(catalogue_dir / "columns.yml", header, data)

    # vocabularies: every accepted_values test names one (a catalogued vocabulary holding all its
    # values, else a new one named after the column); codes and labels already catalogued stay
    vheader, vocab = load(catalogue_dir / "vocabularies.yml")
    for col, values in accepted.items():
        wanted = {str(v) for v in values}
        name = next((n for n, v in vocab.items() if wanted <= {str(k) for k in v.get("terms") or {}}), col)
        v = vocab.setdefault(name, {"doc": f"values of {col}", "terms": {}})
        for value in values:
            if str(value) not in {str(k) for k in v["terms"]}:
                v["terms"][value] = {"zh": str(value), "en": str(value)}
                changes.append(f"+ term {name}.{value}")
        if col in fields and not fields[col].get("vocabulary"):
            fields[col]["vocabulary"] = name
            changes.append(f"~ vocabulary of {col}: {name}")
    dump(catalogue_dir / "vocabularies.yml", vheader, vocab)
    dump(catalogue_dir / "columns.yml", header, data)

    print("\n".join(changes) if changes else "catalogue already up to date", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
