"""The list of data-quality checks, read from thresholds.yml (the one config file of thresholds).

Cheap on purpose: orchestration calls `check_specs()` at definition time to declare one asset check
per gate, so this module must not import Great Expectations, pandas or DuckDB.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from pilotdw import catalogue
from pilotdw.settings import THRESHOLDS_YML

SEVERITIES = catalogue.codes("severity")  # block, warn

# Kinds whose threshold counts failing rows (always 0: GX judges them with no tolerance).
ROW_KINDS = frozenset(
    {"key_unique", "values_between", "values_in_set", "values_not_in_set", "list_deadline", "effect_interval"}
)
# Kinds whose threshold is a bound on a measure; `observed` is the measure's worst value.
MEASURE_KINDS = frozenset(
    {
        "column_at_least",
        "column_at_most",
        "quarantine_share",
        "eligible_base_drop",
        "unmatched_share",
        "indicator_fold_change",
        "effect_pre_trend",
    }
)
KINDS = ROW_KINDS | MEASURE_KINDS

_TABLE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*\.[A-Za-z_][A-Za-z0-9_]*$")
_REQUIRED = ("name", "kind", "table", "severity", "threshold", "reason", "failing", "label_zh")


@dataclass(frozen=True)
class CheckSpec:
    name: str
    table: str  # schema.table the check guards, e.g. "marts.coverage_by_locality_year"
    severity: str  # block | warn
    threshold: float
    reason: str
    kind: str
    failing: str  # phrase for a failing row, after its count
    label_zh: str
    params: dict[str, Any] = field(default_factory=dict, compare=False, hash=False)

    @property
    def counts_rows(self) -> bool:
        return self.kind in ROW_KINDS

    def failing_phrase(self) -> str:
        """`failing` with its placeholders filled from the threshold and params."""
        values = {
            "threshold": f"{self.threshold:g}",
            "threshold_pct": f"{self.threshold * 100:g} %",
            "min": _fmt(self.params.get("min")),
            "max": _fmt(self.params.get("max")),
            "min_base": _fmt(self.params.get("min_base")),
        }
        return self.failing.format(**values)


def _fmt(value: Any) -> str:
    return "" if value is None else f"{value:g}"


def check_specs(path: str | Path | None = None) -> list[CheckSpec]:
    """All checks of thresholds.yml, in file order. Raises ValueError on a malformed entry."""
    source = Path(path) if path else THRESHOLDS_YML
    document = yaml.safe_load(source.read_text(encoding="utf-8")) or {}
    entries = document.get("checks") or []
    specs = [_spec_from_entry(entry, source) for entry in entries]
    seen: set[str] = set()
    for spec in specs:
        if spec.name in seen:
            raise ValueError(f"{source}: check {spec.name!r} is defined twice")
        seen.add(spec.name)
    return specs


def specs_by_name(names: list[str] | None = None, path: str | Path | None = None) -> list[CheckSpec]:
    """The named checks (all when names is None), in file order; unknown names raise ValueError."""
    specs = check_specs(path)
    if names is None:
        return specs
    known = {s.name for s in specs}
    unknown = [n for n in names if n not in known]
    if unknown:
        raise ValueError(f"unknown check(s) {unknown}; known: {sorted(known)}")
    wanted = set(names)
    return [s for s in specs if s.name in wanted]


def _spec_from_entry(entry: dict[str, Any], source: Path) -> CheckSpec:
    where = f"{source}: check {entry.get('name', '?')!r}"
    missing = [k for k in _REQUIRED if entry.get(k) in (None, "")]
    if missing:
        raise ValueError(f"{where} lacks {missing}")
    if entry["severity"] not in SEVERITIES:
        raise ValueError(f"{where}: severity must be one of {SEVERITIES}, got {entry['severity']!r}")
    if entry["kind"] not in KINDS:
        raise ValueError(f"{where}: unknown kind {entry['kind']!r}; known: {sorted(KINDS)}")
    if not _TABLE.match(entry["table"]):
        raise ValueError(f"{where}: table must be schema.table, got {entry['table']!r}")
    try:
        threshold = float(entry["threshold"])
    except (TypeError, ValueError):
        raise ValueError(f"{where}: threshold must be a number, got {entry['threshold']!r}") from None
    if entry["kind"] in ROW_KINDS and threshold != 0:
        # Row checks are judged by GX with no tolerance; a non-zero allowance would be ignored.
        raise ValueError(f"{where}: a {entry['kind']} check allows no failing row; threshold must be 0")
    return CheckSpec(
        name=str(entry["name"]),
        table=entry["table"],
        severity=entry["severity"],
        threshold=threshold,
        reason=str(entry["reason"]).strip(),
        kind=entry["kind"],
        failing=str(entry["failing"]).strip(),
        label_zh=str(entry["label_zh"]).strip(),
        params=dict(entry.get("params") or {}),
    )
