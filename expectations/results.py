"""CheckResult and the audit.check_results table it is written to."""
from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from datetime import date, datetime, time, timezone
from decimal import Decimal
from typing import Any

from pilotdw.catalogue import create_table_sql

# audit.check_results as the catalogue states it (the one DDL of the table).
CHECK_RESULTS_DDL = "CREATE SCHEMA IF NOT EXISTS audit;\n" + create_table_sql("audit.check_results")

_COLUMNS = (
    "check", "table", "severity", "passed", "observed_value", "threshold", "run_id", "checked_at",
    "message", "label_zh", "failing_rows", "failing_sql", "failing_sample", "observed_text", "origin",
)


@dataclass
class CheckResult:
    name: str
    table: str | None
    severity: str  # block | warn
    passed: bool
    observed: float | str | None  # number, or text when the check could not compute one
    threshold: float | None
    message: str
    label_zh: str = ""
    failing_sql: str | None = None
    failing_sample: list[dict[str, Any]] = field(default_factory=list)
    failing_count: int | None = None
    error: str | None = None  # exception raised while checking: the check counts as failed
    origin: str = "gx"

    @property
    def blocking(self) -> bool:
        return self.severity == "block" and not self.passed


def ensure_check_results_table(con) -> None:
    con.execute(CHECK_RESULTS_DDL)


def write_check_results(con, results: list[CheckResult], run_id: str) -> None:
    """One row per result; a check re-run within the same run_id replaces its earlier row."""
    ensure_check_results_table(con)
    if not results:
        return
    checked_at = datetime.now(timezone.utc).replace(tzinfo=None)
    rows = [_row(result, run_id, checked_at) for result in results]
    names = [result.name for result in results]
    columns = ", ".join(f'"{c}"' for c in _COLUMNS)
    placeholders = ", ".join("?" for _ in _COLUMNS)
    try:
        con.execute("BEGIN TRANSACTION")
        own_transaction = True
    except Exception:  # the caller already holds a transaction: write inside it
        own_transaction = False
    try:
        con.execute(
            f'DELETE FROM audit.check_results WHERE run_id = ? AND "check" IN ({", ".join("?" for _ in names)})',
            [run_id, *names],
        )
        con.executemany(f"INSERT INTO audit.check_results ({columns}) VALUES ({placeholders})", rows)
        if own_transaction:
            con.execute("COMMIT")
    except Exception:
        if own_transaction:
            con.execute("ROLLBACK")
        raise


def _row(result: CheckResult, run_id: str, checked_at: datetime) -> list[Any]:
    numeric = isinstance(result.observed, (int, float)) and not isinstance(result.observed, bool)
    return [
        result.name,
        result.table,
        result.severity,
        bool(result.passed),
        float(result.observed) if numeric else None,
        result.threshold,
        run_id,
        checked_at,
        result.message,
        result.label_zh,
        result.failing_count,
        result.failing_sql,
        json.dumps(result.failing_sample, ensure_ascii=False),
        None if numeric or result.observed is None else str(result.observed),
        result.origin,
    ]


def jsonable(value: Any) -> Any:
    """A cell of a DataFrame or DuckDB row as a JSON-safe Python value."""
    if value is None or type(value).__name__ in ("NaTType", "NAType"):  # pandas NaT / NA
        return None
    if hasattr(value, "tolist") and not isinstance(value, (str, bytes)):  # numpy scalars, arrays
        value = value.tolist()
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, bool):
        return value
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return value if math.isfinite(value) else ("inf" if value > 0 else "-inf")
    if isinstance(value, (int, str)):
        return value
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        # DuckDB DATE columns reach pandas as midnight timestamps: show them as dates again
        if value.tzinfo is None and value.time() == time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return str(value)
