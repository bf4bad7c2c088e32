"""national.xlsx written in a second process while the run's process renders the HTML (issue 17).

XlsxWriter is pure Python: at national scale the workbook was half of the report step (1×: ~3 s CPU
of XlsxWriter cell writes; 40×: its long tables go to CSV, still Python). Two processes on two CPUs
take the longer of the two instead of their sum. The child opens the build (and the previously
published warehouse) read-only, builds the same national context from the same marts and writes the
same sheets as `write_reports` does in one process (reports/render.py); only the DuckDB build of a
run can be shared so (a PostgreSQL build is written in one process).
"""
from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path


def start(build: Path, previous: Path | None, year: int, lang: str, path: Path) -> tuple[ProcessPoolExecutor, Future]:
    """Start writing `path` from the DuckDB file `build` in a spawned process that dies with this
    one; `.result()` of the future is the path (or raises what the child raised)."""
    from pilotdw.settings.children import die_with_parent

    pool = ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn"),
                               initializer=die_with_parent, initargs=(os.getpid(),))
    return pool, pool.submit(_write_from_files, str(build), str(previous) if previous else None, year, lang, str(path))


def _write_from_files(build: str, previous: str | None, year: int, lang: str, path: str) -> Path:
    import duckdb

    from pilotdw import settings

    config = settings.duckdb_config()
    with duckdb.connect(build, read_only=True, config=config) as con, \
            (duckdb.connect(previous, read_only=True, config=config) if previous else nullcontext()) as prev:
        return write_national_workbook(con, prev, year, lang, Path(path))


def write_national_workbook(con, prev_con, year: int, lang: str, path: Path) -> Path:
    """national.xlsx of `year` from a build (and the previous warehouse, for the changes sheet)."""
    from pilotdw.reports import context
    from pilotdw.reports.national_workbook import national_sheets
    from pilotdw.reports.warehouse import Warehouse
    from pilotdw.reports.workbook import write_workbook

    wh = Warehouse(con)
    prev = Warehouse(prev_con) if prev_con is not None else None
    base = context.common(wh, year, lang)
    ctx = context.national(wh, prev, year, lang, base)
    return write_workbook(national_sheets(wh, ctx, lang, wh.enterprise_status(year, lang)), path)
