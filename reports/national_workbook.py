"""The sheets of national.xlsx: the national report's tables, full width, for evaluators who
filter and pivot in Excel. Headers from the label catalogue; values straight from the marts.
"""
from __future__ import annotations

from collections.abc import Iterator

from pilotdw.reports.context import (
    ACTION_GROUPS,
    COV,
    COVERAGE_SHEET_COLUMNS,
    EFF,
    EFFECTIVENESS_COLUMNS,
    IMPROVEMENT_COLUMNS,
    KEY_FIGURES,
    NS,
    PARTICIPATION_COLUMNS,
)
from pilotdw.reports.effect import EFFECT_SHEET_COLUMNS
from pilotdw.reports.effect import sheet_rows as effect_sheet_rows
from pilotdw.reports.formatting import fmt, kinds
from pilotdw.reports.labels import column, grade, load_status, severity, sheet, source, text
from pilotdw.reports.warehouse import Warehouse
from pilotdw.reports.workbook import Sheet

LOCALITY = kinds(COV, "locality_code", "locality_name")
STATUS = "marts.enterprise_status_by_year"


def _cols(pairs: list[tuple[str, str]], lang: str) -> list[tuple[str, str]]:
    # bools are written as 是/否 text, so their column is text too
    return [(column(c, lang), "text" if k == "bool" else k) for c, k in pairs]


def _val(row: dict, col: str, kind: str, lang: str):
    value = row.get(col)
    if kind == "bool":
        return None if value is None else fmt(value, "bool", lang)
    if col == "latest_grade":
        return None if value is None else grade(value, lang)
    return value


def _table(title: str, pairs: list[tuple[str, str]], rows: list[dict], lang: str) -> Sheet:
    return Sheet(title, _cols(pairs, lang), [tuple(_val(r, c, k, lang) for c, k in pairs) for r in rows], lang=lang)


def _streamed_table(title: str, pairs: list[tuple[str, str]], count: int, rows: Iterator[dict], lang: str) -> Sheet:
    """An enterprise-level table, converted row by row as the workbook writes it."""
    return Sheet(title, _cols(pairs, lang), (tuple(_val(r, c, k, lang) for c, k in pairs) for r in rows), count=count, lang=lang)


def national_sheets(wh: Warehouse, ctx: dict, lang: str, status_rows: list[dict] | None) -> list[Sheet]:
    year = ctx["year"]
    sheets = [
        _table(sheet("key_figures", lang), kinds(NS, "year") + KEY_FIGURES,
               [wh.national_summary(y) for y in wh.years() if y <= year], lang),
        _table(sheet("coverage", lang), LOCALITY + kinds(COV, "year") + COVERAGE_SHEET_COLUMNS, ctx["coverage"], lang),
        _table(sheet("participation", lang), LOCALITY + PARTICIPATION_COLUMNS,
               ([{**ctx["funnel"]["row"], "locality_name": text("national", lang)}] if ctx["funnel"] else [])
               + ctx["participation"], lang),
        _table(sheet("effectiveness", lang), kinds(EFF, "rank") + LOCALITY + EFFECTIVENESS_COLUMNS + kinds(EFF, "small_sample"),
               ([{**ctx["national_eff"], "locality_name": text("national", lang)}] if ctx["national_eff"] else [])
               + ctx["effectiveness"], lang),
        *([_table(sheet("effect", lang), EFFECT_SHEET_COLUMNS, effect_sheet_rows(wh, lang, ctx["effect"]["outcomes"]), lang)]
          if ctx["effect"]["present"] else []),
        _streamed_table(sheet("improvement", lang), kinds(STATUS, "uscc", "name") + LOCALITY + IMPROVEMENT_COLUMNS,
                        *wh.improvement_stream(year, lang), lang),
        _table(sheet("timeliness", lang),
               LOCALITY + kinds(COV, "list_deadline", "list_submitted_on", "batch_pilots") + [("timeliness", "text")],
               [{**r, "timeliness": text(f"status_{r['list_status']}", lang)} for r in ctx["timeliness"]], lang),
        _table(sheet("checks", lang),
               kinds("audit.check_results", "check", "table", "severity", "passed", "observed_value", "threshold", "message",
                     "failing_sql", "checked_at"),
               [{**r, "severity": severity(r.get("severity"), lang)} for r in ctx["dq"]["checks"]], lang),
        _table(sheet("quarantine", lang),
               kinds("audit.quarantine", "source", "locality_code", "file", "row_number", "column", "value", "reason"),
               [{**r, "source": source(r["source"], lang)} for r in wh.quarantine_rows()], lang),
        _table(sheet("rejected", lang),
               kinds("audit.loads", "path", "source", "reason", "loaded_at"),
               [{**r, "source": source(r.get("source"), lang)} for r in ctx["dq"]["rejected"]], lang),
    ]
    if status_rows is not None:
        sheets.append(
            _table(sheet("actions", lang),
                   LOCALITY + kinds(STATUS, "uscc", "name", "first_pilot_year") + [("action", "text")],
                   [{**r, "action": "；".join(text(label, lang) for label, test in ACTION_GROUPS if test(r))}
                    for r in status_rows], lang)
        )
    changes = ctx["changes"]
    if changes["state"] == "compared":
        sheets.append(
            Sheet(sheet("changes", lang),
                  [(column("figure", lang), "text"), (column("then", lang), "text"), (column("now", lang), "text"),
                   (column("changed", lang), "text")],
                  [(f["label"], fmt(f["then"], f["kind"], lang), fmt(f["now"], f["kind"], lang),
                    text("changed" if f["changed"] else "unchanged", lang))
                   for f in changes["figures"]])
        )
    build = ctx["build"] or {}
    sheets.append(
        Sheet(sheet("build", lang), [(column("item", lang), "text"), (column("value", lang), "text")],
              [(text(k, lang), fmt(build.get(k), "datetime") if k in ("as_of", "started_at", "finished_at") else build.get(k))
               for k in ("build_id", "run_id", "as_of", "started_at", "finished_at")]
              + [(text("source_files", lang, n=len(ctx["source_files"])), f"{f['path']} ({load_status(f.get('status'), lang)})"
                  if f.get("status") and f.get("status") != "loaded" else f["path"]) for f in ctx["source_files"]])
    )
    return sheets
