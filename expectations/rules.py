"""Row rules: each is one GX expectation and the SQL predicate that selects the rows it rejects.

GX judges; the predicate only lets a person list the failing rows with plain SQL (`failing_sql`).
Both are built from the same fields here, so they cannot drift apart. GX is imported inside
`expectation()` only, never at module import.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def quote_ident(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def quote_table(table: str) -> str:
    return ".".join(quote_ident(part) for part in table.split("."))


def sql_literal(value: Any) -> str:
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, (int, float)):
        return repr(value)
    return "'" + str(value).replace("'", "''") + "'"


@dataclass(frozen=True)
class Between:
    """Non-null values of `column` lie in [min_value, max_value] (either bound may be open);
    with strict_max, in [min_value, max_value): a value equal to max_value fails."""

    column: str
    min_value: float | None = None
    max_value: float | None = None
    strict_max: bool = False
    windowed = False

    def expectation(self):
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToBeBetween(
            column=self.column, min_value=self.min_value, max_value=self.max_value, strict_max=self.strict_max
        )

    def failing_predicate(self) -> str:
        col = quote_ident(self.column)
        outside = []
        if self.min_value is not None:
            outside.append(f"{col} < {sql_literal(self.min_value)}")
        if self.max_value is not None:
            outside.append(f"{col} {'>=' if self.strict_max else '>'} {sql_literal(self.max_value)}")
        return "(" + " OR ".join(outside) + ")" if outside else "FALSE"

    def describe(self) -> str:
        lo = "-inf" if self.min_value is None else f"{self.min_value:g}"
        hi = "inf" if self.max_value is None else f"{self.max_value:g}"
        return f"{self.column} outside [{lo}, {hi}{')' if self.strict_max else ']'}"


@dataclass(frozen=True)
class InSet:
    """Non-null values of `column` are among `values`."""

    column: str
    values: tuple
    windowed = False

    def expectation(self):
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToBeInSet(column=self.column, value_set=list(self.values))

    def failing_predicate(self) -> str:
        col = quote_ident(self.column)
        return f"({col} IS NOT NULL AND {col} NOT IN ({', '.join(map(sql_literal, self.values))}))"

    def describe(self) -> str:
        return f"{self.column} not in {list(self.values)}"


@dataclass(frozen=True)
class NotInSet:
    """No value of `column` is among `values`."""

    column: str
    values: tuple
    windowed = False

    def expectation(self):
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToNotBeInSet(column=self.column, value_set=list(self.values))

    def failing_predicate(self) -> str:
        return f"({quote_ident(self.column)} IN ({', '.join(map(sql_literal, self.values))}))"

    def describe(self) -> str:
        return f"{self.column} in {list(self.values)}"


@dataclass(frozen=True)
class NotNull:
    column: str
    windowed = False

    def expectation(self):
        import great_expectations.expectations as gxe

        return gxe.ExpectColumnValuesToNotBeNull(column=self.column)

    def failing_predicate(self) -> str:
        return f"({quote_ident(self.column)} IS NULL)"

    def describe(self) -> str:
        return f"{self.column} is null"


@dataclass(frozen=True)
class Unique:
    """The combination of `columns` occurs once per row."""

    columns: tuple[str, ...]
    windowed = True  # its predicate needs a window function: QUALIFY, not WHERE

    def expectation(self):
        import great_expectations.expectations as gxe

        if len(self.columns) == 1:
            return gxe.ExpectColumnValuesToBeUnique(column=self.columns[0])
        return gxe.ExpectCompoundColumnsToBeUnique(column_list=list(self.columns))

    def failing_predicate(self) -> str:
        cols = ", ".join(map(quote_ident, self.columns))
        return f"(count(*) OVER (PARTITION BY {cols}) > 1)"

    def describe(self) -> str:
        return f"({', '.join(self.columns)}) duplicated"


Rule = Between | InSet | NotInSet | NotNull | Unique


def failing_rows_sql(frame_sql: str, rules: tuple[Rule, ...], order_by: str | None) -> str:
    """A SELECT listing every row of the frame that at least one rule rejects."""
    predicates = " OR ".join(rule.failing_predicate() for rule in rules) or "FALSE"
    clause = "QUALIFY" if any(rule.windowed for rule in rules) else "WHERE"
    order = f"\nORDER BY {order_by}" if order_by else ""
    return f"SELECT *\nFROM (\n{frame_sql.strip()}\n) AS f\n{clause} {predicates}{order}"
