"""`pilotdw sql`: one read-only query against the published warehouse, and nothing else.

Before issue 14 it replaced the warehouse with 7 bytes (`COPY … TO '<home>/warehouse.duckdb'`),
modified it in place (ATTACH/USE/DETACH), read /etc/passwd, ran LOAD and SET, took several statements
at once, ignored Ctrl-C and held a whole csv export in memory. Now:
- DuckDB itself forbids files and settings: the connection is read-only with
  `enable_external_access=false` (no file, no network, no ATTACH of anything else) and
  `lock_configuration=true` (no SET, no re-enabling);
- DuckDB's own parser (`duckdb.extract_statements`) must find exactly one statement, of type SELECT
  (DESCRIBE, SHOW, SUMMARIZE, VALUES and WITH … SELECT parse as SELECT);
- the query runs in a worker thread while this one waits: at the timeout, or on Ctrl-C, it calls
  `interrupt()`, and if DuckDB does not stop within a grace period the process exits anyway;
- csv and json are written in Arrow record batches as they are fetched, so memory stays flat.
"""
from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TextIO

import duckdb

ALLOWED = {duckdb.StatementType.SELECT}
DEFAULT_TIMEOUT = 300.0  # seconds
GRACE_SECONDS = 5.0  # after interrupt(): how long DuckDB may take to stop before the process exits
BATCH_ROWS = 10_000
TABLE_MAX_ROWS = 200
EXIT_REFUSED = 2
EXIT_TIMEOUT = 3
EXIT_INTERRUPTED = 130


class Refused(Exception):
    """The query is not one pilotdw sql runs; the message says why."""


def connection_config() -> dict[str, object]:
    from pilotdw import settings
    return {
        **settings.duckdb_config(),
        "enable_external_access": False,
        "autoload_known_extensions": False,
        "autoinstall_known_extensions": False,
        "lock_configuration": True,  # last: nothing above can be changed by the query
    }


def open_published(warehouse: Path) -> duckdb.DuckDBPyConnection:
    return duckdb.connect(str(warehouse), read_only=True, config=connection_config())


def checked_statement(query: str) -> str:
    """The one SELECT statement in `query`, or Refused."""
    try:
        statements = duckdb.extract_statements(query)
    except duckdb.Error as exc:
        raise Refused(f"not valid SQL: {str(exc).strip().splitlines()[0]}") from None
    if not statements:
        raise Refused("no statement given")
    if len(statements) > 1:
        kinds = ", ".join(s.type.name for s in statements)
        raise Refused(f"one statement per call ({len(statements)} given: {kinds})")
    kind = statements[0].type
    if kind not in ALLOWED:
        raise Refused(f"pilotdw sql is read-only: {kind.name} statements are not allowed, only a query that reads "
                      "the published warehouse (SELECT, WITH … SELECT, DESCRIBE, SHOW, SUMMARIZE); no COPY, ATTACH, "
                      "DETACH, USE, INSTALL, LOAD, SET, PRAGMA, CALL or writes")
    return statements[0].query


@dataclass
class Outcome:
    rows: int = 0
    error: BaseException | None = None


def _records_json(frame) -> str:
    text = frame.to_json(orient="records", force_ascii=False, date_format="iso")
    return text[1:-1]  # the batch's records without the enclosing [ ]


def _flat(schema) -> bool:
    """Whether Arrow's csv writer takes every column (it has no text form for lists and structs)."""
    import pyarrow as pa

    return not any(pa.types.is_nested(f.type) or pa.types.is_dictionary(f.type) for f in schema)


def _needs_quotes(batch) -> bool:
    """Whether a text cell of the batch holds a comma, quote or line break (Arrow would then have
    to quote; it can only quote every text cell or none, and plain csv quotes only those)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    for column in batch.columns:
        if (pa.types.is_string(column.type) or pa.types.is_large_string(column.type)) and \
                pc.any(pc.match_substring_regex(column, r'[,"\r\n]')).as_py():
            return True
    return False


def stream(con: duckdb.DuckDBPyConnection, statement: str, fmt: str, out: TextIO) -> int:
    """Run the statement and write its result to `out` batch by batch; return the rows written.
    csv is written as pandas writes it (text quoted only where needed), by Arrow where a batch has
    nothing to quote (5× faster), else by pandas."""
    rel = con.sql(statement)
    if fmt == "table":
        if rel is not None:
            rel.show(max_width=200, max_rows=TABLE_MAX_ROWS)
        return 0
    import csv

    import pyarrow.csv as pacsv

    reader = rel.to_arrow_reader(BATCH_ROWS)
    flat = _flat(reader.schema)
    plain = pacsv.WriteOptions(include_header=False, quoting_style="none")
    rows = 0
    if fmt == "json":
        out.write("[")
    else:
        csv.writer(out, lineterminator="\n").writerow(reader.schema.names)
    for batch in reader:
        if fmt == "csv" and flat and not _needs_quotes(batch):
            out.flush()
            pacsv.write_csv(batch, out.buffer, write_options=plain)
            out.buffer.flush()
        else:
            frame = batch.to_pandas()
            if fmt == "csv":
                out.write(frame.to_csv(index=False, header=False, lineterminator="\n"))
            elif len(frame):
                out.write(("," if rows else "") + _records_json(frame))
        rows += batch.num_rows
    if fmt == "json":
        out.write("]\n")
    out.flush()
    return rows


def run_query(warehouse: Path, query: str, fmt: str, timeout: float, out: TextIO = sys.stdout, err: TextIO = sys.stderr) -> int:
    """Run one checked query with a time limit; return the exit status (0 ok, 1 a DuckDB error,
    2 refused, 3 timed out, 130 Ctrl-C)."""
    try:
        statement = checked_statement(query)
    except Refused as exc:
        err.write(f"Error: refused: {exc}\n")
        return EXIT_REFUSED
    con = open_published(warehouse)
    outcome = Outcome()

    def work() -> None:
        try:
            outcome.rows = stream(con, statement, fmt, out)
        except BaseException as exc:  # reported by the waiting thread
            outcome.error = exc

    worker = threading.Thread(target=work, name="pilotdw-sql", daemon=True)
    stopped_because: str | None = None
    deadline = time.monotonic() + timeout if timeout > 0 else None
    worker.start()
    try:
        while worker.is_alive():
            remaining = None if deadline is None else deadline - time.monotonic()
            if remaining is not None and remaining <= 0:
                stopped_because = f"timed out after {timeout:g} s (--timeout)"
                break
            worker.join(0.2 if remaining is None else min(0.2, remaining))
    except KeyboardInterrupt:
        stopped_because = "interrupted (Ctrl-C)"
    if stopped_because is not None:
        con.interrupt()
        worker.join(GRACE_SECONDS)
        err.write(f"\nError: query {stopped_because}; stopped\n")
        code = EXIT_INTERRUPTED if "Ctrl-C" in stopped_because else EXIT_TIMEOUT
        # Leave at once, without closing the connection or waiting any longer for DuckDB: an
        # interrupted connection may still count as busy (close() then raises, and DuckDB aborts
        # the process at exit). The database is open read-only: there is nothing to lose.
        for handle in (out, err):
            try:
                handle.flush()
            except (OSError, ValueError):
                pass
        os._exit(code)
    con.close()
    if outcome.error is not None:
        if isinstance(outcome.error, duckdb.Error):
            err.write(f"Error: {outcome.error}\n")
            return 1
        if isinstance(outcome.error, BrokenPipeError):  # `pilotdw sql … | head`: the reader left
            return 0
        raise outcome.error
    return 0
