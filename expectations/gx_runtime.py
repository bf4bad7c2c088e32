"""The one Great Expectations context of this process, and validating a DataFrame with it.

GX 1.x costs ~3 s CPU to import, so nothing here imports it at module level; the first validation
does, or `prepare` in a thread while the nightly job waits for dbt. The context is ephemeral
(nothing written to disk), analytics and progress bars are off, and
each suite is built once per distinct (frame, rules) and reused for the rest of the process.
Validation uses only the pandas data source (whole-DataFrame batch): GX's SQL data source is broken
on DuckDB 2.0 and fails silently (stack-field-notes.md).
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from typing import Any

from pilotdw.expectations.rules import Rule

_lock = threading.RLock()  # re-entered: _definition holds it while _ensure_context takes it
_context: Any = None
_datasource: Any = None
_definitions: dict[tuple[str, tuple[Rule, ...]], Any] = {}
# COMPLETE: every failing row's index. Not the pandas query string listing them all again.
_RESULT_FORMAT = {"result_format": "COMPLETE", "return_unexpected_index_query": False}


@dataclass(frozen=True)
class RuleOutcome:
    success: bool
    failing_index: tuple[int, ...]  # row positions of the frame GX rejected
    error: str | None = None  # set when GX raised while computing the rule: the rule failed


def validate(frame_key: str, rules: tuple[Rule, ...], frame) -> dict[Rule, RuleOutcome]:
    """Run the suite of `rules` on the DataFrame `frame`; one outcome per distinct rule."""
    distinct = tuple(dict.fromkeys(rules))
    try:
        definition = _definition(frame_key, distinct)
        frame = frame.reset_index(drop=True)
        # Batch.validate, not definition.run: run() also serialises every result into the
        # context's in-memory results store, kept for the life of the process (all failing
        # values of every run) and most of the time spent on a frame with many failing rows.
        batch = definition.batch_definition.get_batch(batch_parameters={"dataframe": frame})
        result = batch.validate(definition.suite, result_format=_RESULT_FORMAT)
    except Exception as exc:  # GX itself failed: every rule of the frame is unverified
        message = f"{type(exc).__name__}: {exc}"
        return {rule: RuleOutcome(False, (), message) for rule in distinct}
    outcomes: dict[Rule, RuleOutcome] = {}
    for item in result.results:
        rule = distinct[int(item.expectation_config.meta["rule"])]
        error = exception_message(item.exception_info)
        details = item.result or {}
        index = tuple(sorted(int(i) for i in details.get("unexpected_index_list") or ()))
        outcomes[rule] = RuleOutcome(bool(item.success) and error is None, index, error)
    for rule in distinct:
        # GX returning no result for an expectation is a failure to verify, not a pass.
        outcomes.setdefault(rule, RuleOutcome(False, (), "GX returned no result for this rule"))
    return outcomes


def exception_message(info: Any) -> str | None:
    """The first exception message in a result's exception_info, or None if nothing raised.

    exception_info is either one {raised_exception, exception_message, …} dict or, when a metric
    failed, a dict of such dicts keyed by metric id.
    """
    if not info:
        return None
    if isinstance(info, dict) and "raised_exception" in info:
        if info.get("raised_exception"):
            return str(info.get("exception_message") or "GX raised an exception")
        return None
    if isinstance(info, dict):
        for value in info.values():
            message = exception_message(value)
            if message:
                return message
    return None


def _definition(frame_key: str, rules: tuple[Rule, ...]):
    with _lock:
        key = (frame_key, rules)
        if key not in _definitions:
            _definitions[key] = _build_definition(frame_key, rules, len(_definitions))
        return _definitions[key]


def _build_definition(frame_key: str, rules: tuple[Rule, ...], serial: int):
    import great_expectations as gx

    context, datasource = _ensure_context()
    name = f"{frame_key}#{serial}"
    batch = datasource.add_dataframe_asset(name=name).add_batch_definition_whole_dataframe("whole")
    suite = context.suites.add(gx.ExpectationSuite(name=name))
    for position, rule in enumerate(rules):
        expectation = rule.expectation()
        # GX drops an expectation equal to one already in the suite; rules are distinct, and the
        # meta ties each result back to its rule.
        expectation.meta = {"rule": position}
        suite.add_expectation(expectation)
    return context.validation_definitions.add(gx.ValidationDefinition(name=name, data=batch, suite=suite))


def prepare() -> None:
    """Import GX and create this process's context now (the first validation does it otherwise):
    the nightly job calls it in a thread while it waits for dbt (orchestration/dbt.py)."""
    _ensure_context()


def _ensure_context():
    with _lock:
        return _create_context_once()


def _create_context_once():
    global _context, _datasource
    if _context is None:
        os.environ["GX_ANALYTICS_ENABLED"] = "false"
        os.environ.setdefault("DO_NOT_TRACK", "1")
        import great_expectations as gx
        from great_expectations.data_context.types.base import (
            DataContextConfig,
            InMemoryStoreBackendDefaults,
            ProgressBarsConfig,
        )

        config = DataContextConfig(
            store_backend_defaults=InMemoryStoreBackendDefaults(),
            analytics_enabled=False,
            progress_bars=ProgressBarsConfig(globally=False, metric_calculations=False),
        )
        _context = gx.get_context(mode="ephemeral", project_config=config)
        _datasource = _context.data_sources.add_pandas(name="pilotdw_build")
    return _context, _datasource
