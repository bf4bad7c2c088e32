"""What each check validates: the frame (a SELECT on the build database) and the rules GX applies.

Checks on a table's own columns are judged on the whole table (`SELECT * FROM t`), and all such
checks of one table share one frame and one GX suite. GX is given only the columns those rules read,
of only the rows SQL finds could fail one (`narrow_sql`); the full rows of the failing ones are read
back by position for the sample (`rows_at_sql`). The gates no GX expectation expresses directly
(a share of quarantined rows, an unexplained drop of the eligible base, …) compute a small frame
with SQL here, one row per source / locality-year / enterprise-indicator, and GX judges a measure
column of it with an ordinary expectation. No pandas, no GX in this module.
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date

from pilotdw import settings
from pilotdw.expectations.checks import CheckSpec
from pilotdw.expectations.rules import (
    Between,
    InSet,
    NotInSet,
    NotNull,
    Rule,
    Unique,
    failing_rows_sql,
    quote_ident,
    quote_table,
    sql_literal,
)


@dataclass(frozen=True)
class Plan:
    check: str
    frame_key: str  # checks with equal frame_key share one DataFrame and one GX suite
    frame_sql: str
    rules: tuple[Rule, ...]
    order_by: str | None = "ALL"
    measure: str | None = None  # measure kinds: column whose worst value is `observed`
    worst: str = "max"  # "max" or "min"
    # A SELECT of fewer rows of the frame that gives GX the same verdict, failing rows (in order) and
    # worst measure: for frames far too big to validate whole (None: the whole frame).
    reduced_sql: str | None = None
    # A whole-table frame: the gates may fetch it through narrow_sql instead of frame_sql.
    narrow: bool = False

    @property
    def fetch_sql(self) -> str:
        """The SELECT whose rows GX validates."""
        return self.reduced_sql or self.frame_sql

    def failing_sql(self) -> str:
        return failing_rows_sql(self.frame_sql, self.rules, self.order_by)


def plan_for(spec: CheckSpec, as_of: date) -> Plan:
    builder = _BUILDERS[spec.kind]
    return builder(spec, as_of)


# ---- checks on a table's own columns --------------------------------------------------------


def _whole_table(spec: CheckSpec, rules: tuple[Rule, ...], measure: str | None = None, worst: str = "max") -> Plan:
    return Plan(
        check=spec.name,
        frame_key=spec.table,
        frame_sql=f"SELECT * FROM {quote_table(spec.table)}",
        rules=rules,
        measure=measure,
        worst=worst,
        narrow=True,
    )


def _columns(spec: CheckSpec) -> tuple[str, ...]:
    """params.columns, or the filing indicators (+ params.suffix) when columns_from: indicators."""
    if spec.params.get("columns_from") == "indicators":
        suffix = spec.params.get("suffix", "")
        return tuple(f"{name}{suffix}" for name in settings.indicators())
    columns = spec.params.get("columns")
    if not columns:
        raise ValueError(f"check {spec.name!r}: params.columns is required")
    return tuple(columns)


def _key_unique(spec: CheckSpec, as_of: date) -> Plan:
    key = _columns(spec)
    rules = (Unique(key),) + tuple(NotNull(c) for c in key)
    return replace(_whole_table(spec, rules), order_by=", ".join(map(quote_ident, key)))


def _values_between(spec: CheckSpec, as_of: date) -> Plan:
    lo, hi = spec.params.get("min"), spec.params.get("max")
    return _whole_table(spec, tuple(Between(c, lo, hi) for c in _columns(spec)))


def _values_in_set(spec: CheckSpec, as_of: date) -> Plan:
    return _whole_table(spec, (InSet(spec.params["column"], tuple(spec.params["values"])),))


def _values_not_in_set(spec: CheckSpec, as_of: date) -> Plan:
    return _whole_table(spec, (NotInSet(spec.params["column"], tuple(spec.params["values"])),))


def _column_at_least(spec: CheckSpec, as_of: date) -> Plan:
    column = spec.params["column"]
    plan = _whole_table(spec, (Between(column, min_value=spec.threshold),), measure=column, worst="min")
    due = spec.params.get("due_column")
    if not due:
        return plan
    # Only the rows that are due by as_of are judged (e.g. filing_rate once its filing_deadline has
    # passed): the frame is the table's rows whose due date is before as_of, its own frame.
    return replace(
        plan,
        frame_key=f"{spec.table}:{spec.name}",
        frame_sql=f"SELECT * FROM {quote_table(spec.table)} WHERE {quote_ident(due)} < DATE '{as_of.isoformat()}'",
    )


def _column_at_most(spec: CheckSpec, as_of: date) -> Plan:
    column = spec.params["column"]
    return _whole_table(spec, (Between(column, max_value=spec.threshold),), measure=column, worst="max")


# ---- narrowing whole-table frames ------------------------------------------------------------
#
# Any row GX can reject, and any row holding the worst measure, must reach GX: each rule's candidate
# predicate below selects a superset of the rows GX rejects, judged on the column as pandas holds
# it. GX still judges the candidates, so the verdict, the failing rows (in frame order) and the
# worst value are those of the whole frame. Where the column's type leaves any doubt the rule keeps
# every row (still only its columns).

ROW_COLUMN = "__gx_row"  # a row's 1-based position in its frame

_INTEGERS = frozenset(
    "TINYINT SMALLINT INTEGER BIGINT HUGEINT UTINYINT USMALLINT UINTEGER UBIGINT UHUGEINT".split()
)
_FLOATS = frozenset({"FLOAT", "DOUBLE"})


def _numeric(sql_type: str) -> bool:
    return sql_type in _INTEGERS or sql_type in _FLOATS or sql_type.startswith("DECIMAL")


def _number(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and abs(value) != float("inf")


def _as_double(column: str) -> str:
    # pandas compares DECIMAL/HUGEINT (held as float64) and ints with float bounds as float64
    return f"CAST({quote_ident(column)} AS DOUBLE)"


def _same_kind(values: tuple, sql_type: str) -> bool:
    """`isin` on the column as pandas holds it agrees with SQL IN for these values."""
    if sql_type == "VARCHAR":
        return all(isinstance(v, str) for v in values)
    if sql_type == "BOOLEAN":
        return all(isinstance(v, bool) for v in values)
    if sql_type in _INTEGERS:
        return all(isinstance(v, int) and not isinstance(v, bool) for v in values)
    return False


def _candidates(rule: Rule, types: dict[str, str]) -> str | None:
    """SQL true for every row GX may reject under `rule`; None when unsure (keep every row)."""
    if isinstance(rule, Between):
        bounds = [b for b in (rule.min_value, rule.max_value) if b is not None]
        if not bounds or not all(map(_number, bounds)) or not _numeric(types[rule.column]):
            return None
        outside = []  # NaN (null to pandas) may be selected too: GX then passes it
        if rule.min_value is not None:
            outside.append(f"{_as_double(rule.column)} < {sql_literal(rule.min_value)}")
        if rule.max_value is not None:
            comparison = ">=" if rule.strict_max else ">"
            outside.append(f"{_as_double(rule.column)} {comparison} {sql_literal(rule.max_value)}")
        return "(" + " OR ".join(outside) + ")"
    if isinstance(rule, (InSet, NotInSet)):
        if not _same_kind(rule.values, types[rule.column]):
            return None
        column = quote_ident(rule.column)
        if types[rule.column] == "VARCHAR":  # compare bytes as pandas does, whatever the collation
            column = f"({column} COLLATE C)"
        listed = ", ".join(map(sql_literal, rule.values))
        if isinstance(rule, InSet):
            return f"({column} IS NOT NULL AND {column} NOT IN ({listed}))"
        return f"({column} IN ({listed}))"
    if isinstance(rule, NotNull):
        sql_type = types[rule.column]
        if sql_type in _FLOATS:  # pandas counts NaN as null
            return f"({quote_ident(rule.column)} IS NULL OR isnan({quote_ident(rule.column)}))"
        if sql_type in _INTEGERS or sql_type in ("VARCHAR", "BOOLEAN"):
            return rule.failing_predicate()
        return None
    if isinstance(rule, Unique):
        # SQL and pandas agree on equality (NULLs equal) for these types; every row of a duplicated
        # key is selected, so GX sees each duplicate group whole.
        if all(types[c] in _INTEGERS or types[c] in ("VARCHAR", "BOOLEAN") for c in rule.columns):
            return rule.failing_predicate()
        return None
    return None


def _rule_columns(rule: Rule) -> tuple[str, ...]:
    return rule.columns if isinstance(rule, Unique) else (rule.column,)


def narrow_sql(frame_sql: str, plans: list[Plan], types: dict[str, str]) -> str | None:
    """The frame reduced for GX: ROW_COLUMN, the columns the plans' rules and measures read, and
    only the rows that may fail a rule or hold a worst measure, in frame order.

    `types` maps the frame's columns to their DuckDB types. A rule on a missing column adds nothing:
    GX reports the column missing as it would on the whole frame. None when ROW_COLUMN is taken.
    """
    if ROW_COLUMN in types:
        return None
    columns: dict[str, None] = {}
    predicates: list[str | None] = []
    windowed = False
    for plan in plans:
        for rule in plan.rules:
            if not all(c in types for c in _rule_columns(rule)):
                continue
            columns.update(dict.fromkeys(_rule_columns(rule)))
            predicates.append(_candidates(rule, types))
            windowed = windowed or (rule.windowed and predicates[-1] is not None)
        if plan.measure and plan.measure in types:
            columns[plan.measure] = None
            predicates.append(_worst_rows(frame_sql, plan.measure, plan.worst, types[plan.measure]))
    if any(p is None for p in predicates):
        where = ""
    else:
        clause = "QUALIFY" if windowed else "WHERE"
        where = f"\n{clause} " + (" OR ".join(predicates) or "FALSE")
    selected = ", ".join(map(quote_ident, columns))
    selected = f", {selected}" if selected else ""
    row = quote_ident(ROW_COLUMN)
    return (
        f"SELECT *\nFROM (\nSELECT row_number() OVER () AS {row}{selected}\n"
        f"FROM (\n{frame_sql.strip()}\n) AS f\n) AS f{where}\nORDER BY {row}"
    )


def _worst_rows(frame_sql: str, measure: str, worst: str, sql_type: str) -> str | None:
    """The rows holding the worst value of `measure`, NaN aside as pandas' dropna() does."""
    if not _numeric(sql_type):
        return None
    value = _as_double(measure)
    best = "max" if worst == "max" else "min"
    return (
        f"({value} = (SELECT {best}({value}) FROM (\n{frame_sql.strip()}\n) AS w "
        f"WHERE NOT isnan({value})))"
    )


def rows_at_sql(frame_sql: str, positions: list[int]) -> str:
    """The full rows of the frame at these ROW_COLUMN positions, in frame order."""
    row = quote_ident(ROW_COLUMN)
    listed = ", ".join(str(int(p)) for p in positions) or "NULL"
    return (
        f"SELECT * EXCLUDE ({row})\nFROM (\nSELECT row_number() OVER () AS {row}, *\n"
        f"FROM (\n{frame_sql.strip()}\n) AS f\n) AS f\nWHERE {row} IN ({listed})\nORDER BY {row}"
    )


# ---- computed frames -------------------------------------------------------------------------


def _derived(spec: CheckSpec, sql: str, measure: str | None, rule: Rule, order_by: str) -> Plan:
    return Plan(
        check=spec.name,
        frame_key=f"{spec.table}:{spec.name}",
        frame_sql=sql.strip() + f"\nORDER BY {order_by}",
        rules=(rule,),
        order_by=order_by,
        measure=measure,
    )


def _quarantine_share(spec: CheckSpec, as_of: date) -> Plan:
    statuses = ", ".join(sql_literal(s) for s in spec.params.get("statuses", ["loaded"]))
    sql = f"""
SELECT source,
       count(*)::BIGINT AS files,
       sum(rows_read)::BIGINT AS rows_read,
       sum(rows_quarantined)::BIGINT AS rows_quarantined,
       sum(rows_quarantined)::DOUBLE PRECISION / nullif(sum(rows_read), 0) AS quarantine_share
FROM {quote_table(spec.table)}
WHERE status IN ({statuses})
GROUP BY source"""
    return _derived(spec, sql, "quarantine_share", Between("quarantine_share", max_value=spec.threshold), "source")


def _eligible_base_drop(spec: CheckSpec, as_of: date) -> Plan:
    # eligible_revoked (the mart's: enterprises of E(L,Y-1) that left E(L,Y) with a qualification
    # revoked in Y) is the part of the drop that revocations explain; the rest is not. The gate
    # judges the mart's counts; who is eligible is dbt's rule, never re-derived here.
    sql = f"""
WITH base AS (
    SELECT locality_code, year, eligible_base, eligible_revoked FROM {quote_table(spec.table)}
),
pairs AS (
    SELECT cur.locality_code, cur.year,
           prev.eligible_base::BIGINT AS previous_eligible_base,
           cur.eligible_base::BIGINT AS eligible_base,
           cur.eligible_revoked::BIGINT AS revoked_in_year
    FROM base AS cur
    JOIN base AS prev ON prev.locality_code = cur.locality_code AND prev.year = cur.year - 1
    WHERE prev.eligible_base > 0
)
SELECT locality_code, year, previous_eligible_base, eligible_base, revoked_in_year,
       (previous_eligible_base - eligible_base)::DOUBLE PRECISION / previous_eligible_base AS drop_share,
       (previous_eligible_base - eligible_base - revoked_in_year)::DOUBLE PRECISION
           / previous_eligible_base AS unexplained_drop_share
FROM pairs"""
    rule = Between("unexplained_drop_share", max_value=spec.threshold)
    return _derived(spec, sql, "unexplained_drop_share", rule, "locality_code, year")


def _unmatched_share(spec: CheckSpec, as_of: date) -> Plan:
    # batch_pilots counts one pilot per enterprise (or per distinct unmatched name), so this share
    # equals the share of list rows for lists without duplicate rows.
    sql = f"""
SELECT locality_code, year, batch_pilots, unmatched_pilots,
       unmatched_pilots::DOUBLE PRECISION / batch_pilots AS unmatched_share
FROM {quote_table(spec.table)}
WHERE batch_pilots > 0"""
    rule = Between("unmatched_share", max_value=spec.threshold)
    return _derived(spec, sql, "unmatched_share", rule, "locality_code, year")


def _list_deadline(spec: CheckSpec, as_of: date) -> Plan:
    # The deadline and the on-time verdict are the mart's own columns (list_deadline, list_on_time:
    # dbt macro list_deadline and coverage_by_locality_year), never re-derived here. The check only
    # decides which locality-years are judged on as_of: a missing list once its deadline has passed,
    # a late one whenever the mart says so. Only programme years (<= P1) expect a list.
    sql = f"""
SELECT locality_code, locality_name, year, list_deadline, list_submitted_on, list_on_time,
       CASE
           WHEN list_on_time IS NULL THEN 'missing'
           WHEN list_on_time THEN 'on_time'
           ELSE 'late'
       END AS list_status
FROM {quote_table(spec.table)}
WHERE year <= {int(settings.P1)}
  AND (list_deadline < DATE '{as_of.isoformat()}' OR list_on_time = FALSE)"""
    return _derived(spec, sql, None, InSet("list_status", ("on_time",)), "year, locality_code")


def _indicator_fold_change(spec: CheckSpec, as_of: date) -> Plan:
    # metrics.md "Policy notes for the gates": with a, b the values of Y-1 and Y, the change is
    # tenfold when max(a, b) >= threshold * max(min(a, b), min_base). A count falling from 2 to 0
    # is not (2 < 10 * 5); 0 -> 50 and 5 -> 50 are. fold_change = max / max(min, min_base) is the
    # measure: never infinite (min_base > 0); rounded to 9 decimals so that float noise (77 / 7.7)
    # cannot move a value across the bound.
    # Both values must be reported; the enterprise-years are the mart's (pilots, Y >= first pilot year).
    # Unpivoted with a lateral VALUES list and rounded as round(x * 1e9) / 1e9, so that the same SQL
    # runs on DuckDB and PostgreSQL (which has neither UNPIVOT nor round(double, digits)).
    columns = tuple(settings.indicators()) if spec.params.get("columns_from") == "indicators" else _columns(spec)
    min_base = float(spec.params.get("min_base", 5))
    # An indicator may count from its own base (params.min_base_by_indicator, in its unit): a flow
    # that is 0 in many years by nature, such as pledge financing, is judged from a loan's size.
    own = {str(k): float(v) for k, v in (spec.params.get("min_base_by_indicator") or {}).items()}
    if not all(b > 0 for b in (min_base, *own.values())):
        raise ValueError(f"check {spec.name!r}: every min_base must be > 0, got {min_base!r}, {own!r}")
    unknown = set(own) - set(columns)
    if unknown:
        raise ValueError(f"check {spec.name!r}: min_base_by_indicator names unknown indicators {sorted(unknown)}")
    base = (
        "CASE indicator " + " ".join(f"WHEN {sql_literal(k)} THEN {v!r}" for k, v in sorted(own.items()))
        + f" ELSE {min_base!r} END" if own else repr(min_base)
    )
    values = quote_table(spec.params.get("values", "intermediate.int_filings_latest"))
    selected = ", ".join(
        f"prev.{quote_ident(c)} AS {quote_ident(c + '__prev')}, cur.{quote_ident(c)} AS {quote_ident(c + '__cur')}"
        for c in columns
    )
    pairs = ", ".join(
        f"({sql_literal(c)}, t.{quote_ident(c + '__prev')}, t.{quote_ident(c + '__cur')})" for c in columns
    )
    # the mart's enterprise-years, each with its indicators' values of Y-1 and Y: one row each
    wide = f"""
    SELECT m.uscc, m.locality_code, m.year, {selected}
    FROM {quote_table(spec.table)} AS m
    JOIN {values} AS cur ON cur.uscc = m.uscc AND cur.data_year = m.year
    JOIN {values} AS prev ON prev.uscc = m.uscc AND prev.data_year = m.year - 1"""

    def unpivoted(rows: str) -> str:
        """The frame over the wide `rows`: one row per enterprise-year and reported indicator."""
        return f"""
SELECT uscc, locality_code, year, indicator,
       CAST(previous_value AS DOUBLE PRECISION) AS previous_value,
       CAST(value AS DOUBLE PRECISION) AS value,
       round(greatest(previous_value, value) / greatest(least(previous_value, value), {base}) * 1e9) / 1e9
           AS fold_change
FROM ({rows}
) AS t
CROSS JOIN LATERAL (VALUES {pairs}) AS u(indicator, previous_value, value)
WHERE previous_value IS NOT NULL AND value IS NOT NULL"""

    sql = unpivoted(wide)
    rule = Between("fold_change", max_value=spec.threshold, strict_max=True)
    plan = _derived(spec, sql, "fold_change", rule, "uscc, year, indicator")
    # One row per enterprise, year and indicator: 16 M rows at 1 M enterprises, almost all far
    # inside the bound. GX gets only the rows at or over it and the worst row(s): the same failing
    # rows in the same order, the same worst fold_change. The unpivot is what costs (28 s at 40×,
    # done twice), so the wide rows (one per enterprise-year) are judged first: a row goes on to the
    # unpivot when any of its indicators' fold change reaches the bound (NaN included: it compares
    # above every number) or equals the worst; then the frame's own expression and predicate decide,
    # on those rows only. NOT MATERIALIZED: the wide join is read twice rather than held.
    def fold(c: str, nan_as_null: bool) -> str:
        p, q = f"t.{quote_ident(c + '__prev')}", f"t.{quote_ident(c + '__cur')}"
        own_base = repr(own.get(c, min_base))
        # NULL unless both years are reported (greatest/least skip a NULL: 0 -> NULL would count)
        f = (f"CASE WHEN {p} IS NOT NULL AND {q} IS NOT NULL "
             f"THEN round(greatest({p}, {q}) / greatest(least({p}, {q}), {own_base}) * 1e9) / 1e9 END")
        return f"CASE WHEN {f} <> CAST('NaN' AS DOUBLE PRECISION) THEN {f} END" if nan_as_null else f
    candidates = f"SELECT * FROM folds WHERE fold_any >= {spec.threshold!r} OR fold_max = (SELECT fold_change FROM worst)"
    reduced = f"""
WITH wide AS NOT MATERIALIZED ({wide}
),
folds AS NOT MATERIALIZED (
    SELECT t.*, greatest({", ".join(fold(c, False) for c in columns)}) AS fold_any,
           greatest({", ".join(fold(c, True) for c in columns)}) AS fold_max
    FROM wide AS t
),
worst AS (SELECT max(fold_max) AS fold_change FROM folds),
frame AS ({unpivoted(candidates)}
)
SELECT frame.* FROM frame
WHERE {rule.failing_predicate()} OR fold_change = (SELECT fold_change FROM worst)
ORDER BY {plan.order_by}"""
    return replace(plan, reduced_sql=reduced)


def _effect_pre_trend(spec: CheckSpec, as_of: date) -> Plan:
    # metrics.md: only the national overall rows are judged; a locality's test has little power and
    # an insufficient scope has no test (pre_trend_p NULL).
    sql = f"""
SELECT scope_code, outcome, att, pre_trend_p
FROM {quote_table(spec.table)}
WHERE scope_code = '000000' AND aggregation = 'overall' AND pre_trend_p IS NOT NULL"""
    rule = Between("pre_trend_p", min_value=spec.threshold)
    return replace(_derived(spec, sql, "pre_trend_p", rule, "outcome"), worst="min")


def _effect_interval(spec: CheckSpec, as_of: date) -> Plan:
    # A row fails when its interval excludes its own estimate or its standard error is negative
    # (NULLs, as on insufficient_data rows, fail nothing).
    sql = f"""
SELECT scope_code, outcome, aggregation, event_time, cohort_year, year, att, se, ci_low, ci_high,
       CASE WHEN ci_low > att OR ci_high < att OR se < 0 THEN 'inconsistent' ELSE 'consistent' END AS interval_check
FROM {quote_table(spec.table)}"""
    order = "scope_code, outcome, aggregation, event_time NULLS FIRST, cohort_year NULLS FIRST, year NULLS FIRST"
    return _derived(spec, sql, None, InSet("interval_check", ("consistent",)), order)


_BUILDERS = {
    "key_unique": _key_unique,
    "values_between": _values_between,
    "values_in_set": _values_in_set,
    "values_not_in_set": _values_not_in_set,
    "column_at_least": _column_at_least,
    "column_at_most": _column_at_most,
    "quarantine_share": _quarantine_share,
    "eligible_base_drop": _eligible_base_drop,
    "unmatched_share": _unmatched_share,
    "list_deadline": _list_deadline,
    "indicator_fold_change": _indicator_fold_change,
    "effect_pre_trend": _effect_pre_trend,
    "effect_interval": _effect_interval,
}
