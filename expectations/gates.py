"""Running the data-quality gates against the open build database (the public API of this room).

    run_checks(con, run_id, as_of=..., names=...)   GX checks of thresholds.yml -> audit.check_results
    record_dbt_results(con, run_results, run_id)     dbt test results -> audit.check_results
    blocking_failures(results)                       the failed `block` checks: publish only if empty
    failing_rows(con, result)                        every failing row of a result, via failing_sql

Importing this module does not import Great Expectations; the first run_checks call does.
"""
from __future__ import annotations

from collections import OrderedDict
from datetime import date, datetime
from typing import Any

from pilotdw.expectations.checks import CheckSpec, specs_by_name
from pilotdw.expectations.plans import ROW_COLUMN, Plan, narrow_sql, plan_for, rows_at_sql
from pilotdw.expectations.results import CheckResult, jsonable, write_check_results
from pilotdw.settings.memory import return_memory

SAMPLE_ROWS = 10

# Where to look beyond the failing rows, for checks judged on an aggregate.
_HINTS = {
    "quarantine_share": "the quarantined rows themselves are in audit.quarantine (by source)",
    "eligible_base_drop": "compare with the current register rows of the locality",
    "unmatched_share": "the unmatched names are the pilot rows with match_status unmatched/ambiguous",
}


def run_checks(
    con,
    run_id: str,
    *,
    as_of: date | None = None,
    names: list[str] | None = None,
) -> list[CheckResult]:
    """Run the checks of thresholds.yml (all, or the named ones) on the build database `con`.

    Writes one row per check to audit.check_results (created if missing) and returns the results.
    A check that raises -- missing table or column, bad SQL, GX error -- is returned as failed.
    `as_of` is the day list deadlines are judged against (default: today in Asia/Shanghai).
    """
    as_of = as_of or today_in_china()
    specs = specs_by_name(names)
    results: dict[str, CheckResult] = {}
    groups: OrderedDict[str, list[tuple[CheckSpec, Plan]]] = OrderedDict()
    for spec in specs:
        try:
            plan = plan_for(spec, as_of)
        except Exception as exc:  # malformed params: the check cannot run, so it fails
            results[spec.name] = _error_result(spec, None, exc)
            continue
        groups.setdefault(plan.frame_key, []).append((spec, plan))

    try:
        for members in groups.values():
            results.update(_run_frame(con, members))
    finally:
        return_memory()

    ordered = [results[spec.name] for spec in specs]
    write_check_results(con, ordered, run_id)
    return ordered


def blocking_failures(results: list[CheckResult]) -> list[CheckResult]:
    """The failed checks of severity block. The run may publish only when this is empty."""
    return [result for result in results if result.severity == "block" and not result.passed]


def failing_rows(con, result: CheckResult | str, limit: int | None = None) -> list[dict[str, Any]]:
    """The rows a result's failing_sql (or the SELECT given) lists, all or the first `limit`."""
    failing_sql = result if isinstance(result, str) else result.failing_sql
    if not failing_sql:
        return []
    sql = failing_sql if limit is None else f"SELECT * FROM ({failing_sql}) LIMIT {int(limit)}"
    cursor = con.execute(sql)
    columns = [d[0] for d in cursor.description]
    return [{c: jsonable(v) for c, v in zip(columns, row)} for row in cursor.fetchall()]


def today_in_china() -> date:
    try:
        from zoneinfo import ZoneInfo

        return datetime.now(ZoneInfo("Asia/Shanghai")).date()
    except Exception:  # no tz database: the machine's date is within a day of it
        return date.today()


# ---- building results -------------------------------------------------------------------------


def _run_frame(con, members: list[tuple[CheckSpec, Plan]]) -> dict[str, CheckResult]:
    """Results of the checks sharing one frame: the frame is queried once and validated once."""
    first = members[0][1]
    rules = tuple(rule for _, plan in members for rule in plan.rules)
    try:
        frame, rows_at = _fetch(con, [plan for _, plan in members])
        from pilotdw.expectations import gx_runtime  # GX costs ~12 s to import: only when validating

        outcomes = gx_runtime.validate(first.frame_key, rules, frame)
    except Exception as exc:  # missing table, bad SQL, GX failure: none of these checks ran
        return {spec.name: _error_result(spec, plan, exc) for spec, plan in members}
    results = {}
    for spec, plan in members:
        try:
            results[spec.name] = _result(spec, plan, frame, outcomes, rows_at)
        except Exception as exc:  # one check failing to report must not hide the others
            results[spec.name] = _error_result(spec, plan, exc)
    return results


def _fetch(con, plans: list[Plan]):
    """The DataFrame GX validates, and a function giving the sample rows at positions of it.

    A whole-table frame comes through plans.narrow_sql (its rule columns, candidate rows only) and
    its sample rows are read back whole by frame position; any other frame is fetched as it is.
    """
    first = plans[0]
    if first.narrow:
        narrowed = _fetch_narrow(con, plans)
        if narrowed is not None:
            return narrowed
    frame = con.execute(first.fetch_sql).df()
    return frame, lambda index: _records(frame.iloc[index])


def _fetch_narrow(con, plans: list[Plan]):
    frame_sql = plans[0].frame_sql
    try:
        relation = con.sql(frame_sql)  # binds without reading a row
        types = dict(zip(relation.columns, (str(t) for t in relation.types)))
        # Positions name the same row in two queries only while DuckDB keeps rows in table order.
        (ordered,) = con.execute("SELECT current_setting('preserve_insertion_order')").fetchone()
        sql = narrow_sql(frame_sql, plans, types) if ordered else None
        if sql is None:
            return None
        frame = con.execute(sql).df()
    except Exception:  # e.g. a missing table: the whole-frame fetch raises the usual error
        return None
    positions = frame.pop(ROW_COLUMN).tolist()

    def rows_at(index: list[int]) -> list[dict[str, Any]]:
        if not index:
            return []
        return _records(con.execute(rows_at_sql(frame_sql, [positions[i] for i in index])).df())

    return frame, rows_at


def _records(frame) -> list[dict[str, Any]]:
    return [{str(c): jsonable(v) for c, v in row.items()} for row in frame.to_dict(orient="records")]


def _result(spec: CheckSpec, plan: Plan, frame, outcomes, rows_at) -> CheckResult:
    mine = [(rule, outcomes[rule]) for rule in plan.rules]
    errors = [o.error for _, o in mine if o.error]
    if errors:
        return _error_result(spec, plan, errors[0])
    failing = sorted({i for _, o in mine for i in o.failing_index})
    passed = all(o.success for _, o in mine)
    observed = len(failing) if spec.counts_rows else _worst(frame, plan)
    sample = rows_at(failing[:SAMPLE_ROWS])
    by_rule = [(rule.describe(), len(o.failing_index)) for rule, o in mine if o.failing_index]
    return CheckResult(
        name=spec.name,
        table=spec.table,
        severity=spec.severity,
        passed=passed,
        observed=observed,
        threshold=spec.threshold,
        message=_message(spec, plan, passed, len(failing), observed, by_rule, sample),
        label_zh=spec.label_zh,
        failing_sql=plan.failing_sql(),
        failing_sample=sample,
        failing_count=len(failing),
    )


def _worst(frame, plan: Plan) -> float | None:
    if plan.measure not in frame.columns:
        return None
    values = frame[plan.measure].dropna()
    if values.empty:
        return None
    return float(values.max() if plan.worst == "max" else values.min())


def _message(spec, plan, passed, count, observed, by_rule, sample) -> str:
    text = f"{spec.table}: {count} {spec.failing_phrase()}"
    if not spec.counts_rows and observed is not None:
        text += f"; worst {plan.measure} = {observed:.4g} (threshold {spec.threshold:g})"
    if len(by_rule) > 1 or (by_rule and spec.kind in ("values_between", "key_unique")):
        text += " (" + "; ".join(f"{what}: {n} row(s)" for what, n in by_rule) + ")"
    if passed:
        return text + "."
    examples = [_identify(row) for row in sample[:3]]
    if any(examples):
        text += "; e.g. " + " | ".join(e for e in examples if e)
    consequence = "blocks publishing" if spec.severity == "block" else "warning"
    hint = _HINTS.get(spec.kind)
    return f"{text}. {consequence.capitalize()}; failing_sql lists them" + (f"; {hint}." if hint else ".")


# Columns that identify a failing row to a person, in the order they are shown.
_IDENTIFYING = ("source", "path", "source_file", "row_number", "locality_code", "year", "uscc", "indicator")


def _identify(row: dict[str, Any]) -> str:
    return ", ".join(f"{c}={row[c]}" for c in _IDENTIFYING if c in row and row[c] is not None)


def _error_result(spec: CheckSpec, plan: Plan | None, error: Exception | str) -> CheckResult:
    detail = error if isinstance(error, str) else f"{type(error).__name__}: {error}"
    detail = " ".join(str(detail).split())[:500]
    return CheckResult(
        name=spec.name,
        table=spec.table,
        severity=spec.severity,
        passed=False,
        observed=f"error: {detail}",
        threshold=spec.threshold,
        message=(
            f"{spec.table}: check {spec.name} could not be evaluated, so it counts as failed"
            f" ({'blocks publishing' if spec.severity == 'block' else 'warning'}): {detail}"
        ),
        label_zh=spec.label_zh,
        failing_sql=plan.failing_sql() if plan else None,
        failing_sample=[],
        failing_count=None,
        error=detail,
    )


# ---- dbt ----------------------------------------------------------------------------------------


def record_dbt_results(
    con,
    run_results: dict,
    run_id: str,
    manifest: dict | None = None,
) -> list[CheckResult]:
    """dbt's run_results.json test results as CheckResults, written to audit.check_results.

    Severity error -> block, warn -> warn. run_results does not carry a passing test's severity;
    pass `manifest` (manifest.json) to get it and the tested table, otherwise a passing test is
    recorded as block (dbt's default) and status `warn` as warn. error and skipped count as failed.
    """
    # dbt qualifies tables with the build file's catalog ("<run_id>".marts.x); without it the query
    # runs in any copy of the build, the published warehouse included.
    catalog = con.execute("SELECT current_database()").fetchall()[0][0]
    results = [
        _dbt_result(con, item, manifest or {}, catalog)
        for item in run_results.get("results", [])
        if str(item.get("unique_id", "")).startswith(("test.", "unit_test."))
    ]
    write_check_results(con, results, run_id)
    return results


def _dbt_result(con, item: dict, manifest: dict, catalog: str = "") -> CheckResult:
    unique_id = item["unique_id"]
    status = str(item.get("status", "")).lower()
    node = (manifest.get("nodes") or {}).get(unique_id) or (manifest.get("unit_tests") or {}).get(unique_id) or {}
    severity_config = str((node.get("config") or {}).get("severity", "")).lower()
    if severity_config in ("error", "warn"):
        severity = "block" if severity_config == "error" else "warn"
    else:
        severity = "warn" if status == "warn" else "block"
    table = _dbt_tested_table(node, manifest)
    test_name = node.get("name") or unique_id.split(".")[2 if unique_id.count(".") >= 2 else -1]
    where = f"dbt test {test_name}" + (f" on {table}" if table else "")
    failures = item.get("failures")
    passed = status == "pass"
    sql = item.get("compiled_code")
    if sql and catalog:
        sql = sql.replace(f'"{catalog}".', "")
    if status in ("pass", "fail", "warn"):
        observed: float | str | None = failures if isinstance(failures, (int, float)) else None
        message = f"{where}: {failures if failures is not None else 'some'} failing row(s)"
        message += "." if passed else f" ({severity}); failing_sql lists them."
    elif status == "skipped":
        observed = "skipped"
        message = f"{where} was skipped (an upstream node failed), so it counts as failed ({severity})."
    else:
        observed = f"error: {item.get('message')}"
        message = f"{where} could not run, so it counts as failed ({severity}): {item.get('message')}"
    sample: list[dict[str, Any]] = []
    if not passed and sql and status in ("fail", "warn"):
        try:
            sample = failing_rows(con, sql, SAMPLE_ROWS)
        except Exception:  # a failing_sql that does not run must not hide the failure itself
            sample = []
    return CheckResult(
        name=f"dbt:{unique_id}",
        table=table,
        severity=severity,
        passed=passed,
        observed=observed,
        threshold=0.0,
        message=message,
        label_zh=f"dbt测试：{test_name}",
        failing_sql=sql,
        failing_sample=sample,
        failing_count=failures if isinstance(failures, int) else None,
        error=None if status in ("pass", "fail", "warn") else str(item.get("message") or status),
        origin="dbt",
    )


def _dbt_tested_table(node: dict, manifest: dict) -> str | None:
    attached = node.get("attached_node") or next(
        (d for d in (node.get("depends_on") or {}).get("nodes", []) if d.startswith(("model.", "seed.", "snapshot."))),
        None,
    )
    model = (manifest.get("nodes") or {}).get(attached) if attached else None
    if not model:
        return None
    return f"{model.get('schema')}.{model.get('alias') or model.get('name')}"
