"""The text of the effectiveness-index formula, shown beside the ranking. The report only quotes it:
the formula itself lives with the model that computes it (dbt docs) and in docs/metrics.md.

Looked up, first found wins: the comments dbt persisted in the warehouse (what this very build
used: the model's definition of the index, else the column's), the same in the dbt YAML of
marts.regional_effectiveness, then the effectiveness section of docs/metrics.md.
"""
from __future__ import annotations

import re
from pathlib import Path

import yaml

from pilotdw.settings import DBT_PROJECT_DIR, PROJECT_ROOT

from pilotdw.reports.warehouse import Warehouse

MODEL = "regional_effectiveness"
COLUMN = "effectiveness_index"


def _excerpt(description: str | None) -> str | None:
    """The part of a model description that defines the index: from its first mention on."""
    if not description or COLUMN not in description:
        return None
    return " ".join(description[description.index(COLUMN):].split())


def _from_dbt_yaml(models_dir: Path) -> str | None:
    """The model description's definition of the index, else the column's description."""
    if not models_dir.is_dir():
        return None
    for path in sorted(models_dir.rglob("*.y*ml")):
        try:
            doc = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        except (OSError, yaml.YAMLError):
            continue
        for model in doc.get("models", []) if isinstance(doc, dict) else []:
            if not isinstance(model, dict) or model.get("name") != MODEL:
                continue
            found = _excerpt(model.get("description"))
            for col in model.get("columns") or []:
                if not found and isinstance(col, dict) and col.get("name") == COLUMN and col.get("description"):
                    found = str(col["description"]).strip()
            if found:
                return found
    return None


_HEADING = re.compile(r"^(#{1,6})\s+(.*)$")


def _from_metrics_doc(doc: Path) -> str | None:
    """The body of the first heading of docs/metrics.md that names the effectiveness index."""
    if not doc.is_file():
        return None
    lines = doc.read_text(encoding="utf-8").splitlines()
    for i, line in enumerate(lines):
        m = _HEADING.match(line)
        if m and re.search(r"effectiveness[ _]index|成效指数", m.group(2), re.IGNORECASE):
            level = len(m.group(1))
            body = []
            for nxt in lines[i + 1 :]:
                h = _HEADING.match(nxt)
                if h and len(h.group(1)) <= level:
                    break
                body.append(nxt)
            text = "\n".join(body).strip()
            if text:
                return text
    return None


def effectiveness_formula(wh: Warehouse, project_root: Path = PROJECT_ROOT) -> str | None:
    """The formula text, or None when no source documents it."""
    return (
        _excerpt(wh.table_comment("marts", MODEL))
        or wh.column_comment("marts", MODEL, COLUMN)
        or _from_dbt_yaml(project_root / DBT_PROJECT_DIR.relative_to(PROJECT_ROOT) / "models")
        or _from_metrics_doc(project_root / "docs" / "metrics.md")
    )
