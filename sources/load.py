"""Write the raw layer of a build from the archive: every archived file parsed once, its rows into
raw.<source>, what happened to it into audit.loads, its bad rows into audit.quarantine."""
from __future__ import annotations

import itertools
import multiprocessing
import os
import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timezone

import duckdb
import pandas as pd
import pyarrow as pa

from pilotdw.settings import RAW_SCHEMA_SQL, SOURCES, ingest_workers
from pilotdw.settings.children import die_with_parent
from pilotdw.settings.memory import return_memory
from pilotdw.sources import parse_cache
from pilotdw.sources.archive import ArchivedFile, read_manifest, stored_path
from pilotdw.sources.contract import describe_column
from pilotdw.sources.parse import Parsed, parse_table
from pilotdw.sources.pilot_lists import ListKey, Submission, current_submission, list_key_from_name
from pilotdw.sources.readers import ReadResult, Rejected, read_file

Progress = Callable[[str], None]

RAW_COLUMNS = {
    "registers": ["uscc", "name", "name_key", "qualification", "recognized_year", "revoked_year", "locality_code", "locality_code_derived", "locality_flag"],
    "pilots": ["name", "name_key", "uscc", "seq", "category", "district", "locality_code", "year", "batch", "submitted_on"],
    "assessments": ["uscc", "kind", "assessed_on", "total_score", "foundation_score", "strategy_score", "process_score", "results_score", "grade", "evaluator"],
    "filings": None,  # every contract column, in contract order
}
PROVENANCE = ["source_file", "file_hash", "sheet", "row_number", "file_mtime", "loaded_at", "superseded_by", "extra"]
_PILOT_KEY_COLUMNS = ("locality_code", "year", "batch")
# Pilot lists are written once all are read: a later list can supersede an earlier one's rows.
_WRITTEN_AFTER_ALL = ("pilots",)
# Starting a parsing process costs ~1 s (imports); below this many landed bytes one process is as fast.
PARALLEL_FROM_BYTES = 1_000_000


@dataclass
class FileOutcome:
    entry: ArchivedFile
    status: str = "loaded"
    reason: str | None = None
    format: str | None = None
    encoding: str | None = None
    sheets: list[str] = field(default_factory=list)
    rows_read: int = 0
    rows: pd.DataFrame | None = None
    quarantine: pd.DataFrame | None = None
    seconds: float = 0.0
    written_rows: int = 0  # rows_loaded once the rows are written and released
    raw: pa.Table | None = None  # the raw-layer rows, ready to insert (sources written as parsed)

    @property
    def rows_loaded(self) -> int:
        return self.written_rows if self.rows is None else len(self.rows)

    def release_rows(self) -> None:
        """Forget the rows (written to the build), keep their count: at 40× national scale the raw
        layer is millions of rows, and the process goes on to run the gates, dbt and the report."""
        self.written_rows, self.rows = self.rows_loaded, None

    @property
    def rows_quarantined(self) -> int:
        return 0 if self.quarantine is None else len(self.quarantine)


@dataclass
class IngestSummary:
    outcomes: list[FileOutcome]

    def count(self, status: str) -> int:
        return sum(o.status == status for o in self.outcomes)

    def rows(self, source: str | None = None, attr: str = "rows_loaded") -> int:
        return sum(getattr(o, attr) for o in self.outcomes if source is None or o.entry.source == source)


def describe_problem(file: str, sheet: str | None, row: int, column: str, source: str, reason: str, value: object) -> str:
    """The one wording of a bad cell: file, sheet, row, column (with its Chinese names), what was
    expected, and what was found."""
    where = f"{file}" + (f" [sheet {sheet}]" if sheet else "") + f", row {row}, column {describe_column(source, column)}"
    found = "an empty cell" if value is None or value != value else f"'{value}'"
    return f"{where}: {reason}; found {found}"


def file_statuses(entries: list[ArchivedFile]) -> tuple[list[ArchivedFile], dict[int, tuple[str, str]]]:
    """Which archived files a build parses, and why the others are not: an older version of a
    landing path is superseded by the newer one; a withdrawn path is superseded by its withdrawal;
    the same bytes under another path are a duplicate."""
    latest_index = {e.path: i for i, e in enumerate(entries)}
    skipped: dict[int, tuple[str, str]] = {}
    first_path_of_hash: dict[str, str] = {}
    active: list[ArchivedFile] = []
    for i, e in enumerate(entries):
        if e.withdrawn is not None:
            continue  # a withdrawal record is not a file: the file it withdraws is reported
        newer = entries[latest_index[e.path]]
        if newer.withdrawn is not None:
            skipped[i] = ("superseded", f"withdrawn by an operator at {newer.archived_at}: {newer.withdrawn}")
        elif latest_index[e.path] != i:
            skipped[i] = ("superseded", f"replaced by a newer version of {e.path} ({newer.content_hash[:12]}, archived {newer.archived_at})")
        elif e.content_hash in first_path_of_hash:
            skipped[i] = ("duplicate", f"same bytes as {first_path_of_hash[e.content_hash]}: loaded once")
        else:
            first_path_of_hash[e.content_hash] = e.path
            active.append(e)
    return active, skipped


def _pilot_defaults(entry: ArchivedFile, read: ReadResult) -> dict[str, object]:
    """Locality, year and batch from the file name, for the columns a list leaves out or blank;
    rejects a list that gives them neither way."""
    key = list_key_from_name(entry.path)
    if key is not None:
        return {"locality_code": key.locality_code, "year": key.year, "batch": key.batch}
    lacking = [c for c in _PILOT_KEY_COLUMNS if any(c not in t.columns for t in read.tables)]
    if lacking:
        raise Rejected(
            f"{entry.path}: a pilot list must give {', '.join(describe_column('pilots', c) for c in lacking)} as columns "
            "or in its file name <locality_code>_<year>_b<batch>[_anything].<ext> (e.g. 310000_2023_b1_首批名单.tsv)"
        )
    return {}


def parse_file(entry: ArchivedFile, archive_dir) -> FileOutcome:
    started = time.perf_counter()
    outcome = FileOutcome(entry)
    try:
        read = read_file(entry.source, stored_path(archive_dir, entry), entry.path)
        outcome.format, outcome.encoding = read.format, read.encoding
        defaults = _pilot_defaults(entry, read) if entry.source == "pilots" else {}
        parsed: list[tuple[str | None, Parsed]] = [(t.sheet, parse_table(entry.source, t, defaults)) for t in read.tables]
    except Rejected as exc:
        outcome.status, outcome.reason = "rejected", str(exc)
        outcome.seconds = time.perf_counter() - started
        return outcome
    except (Exception, MemoryError) as exc:  # a file no rule foresaw must not stop the whole run
        outcome.status = "rejected"
        outcome.reason = f"{entry.path}: could not be read ({type(exc).__name__}: {str(exc)[:300]})"
        outcome.seconds = time.perf_counter() - started
        return outcome
    outcome.sheets = [s for s, _ in parsed if s is not None]
    outcome.rows_read = sum(p.rows_read for _, p in parsed)
    outcome.rows = pd.concat([p.rows.assign(sheet=s) for s, p in parsed], ignore_index=True)
    outcome.quarantine = pd.concat([p.quarantine.assign(sheet=s) for s, p in parsed], ignore_index=True)
    outcome.seconds = time.perf_counter() - started
    return outcome


def prepared_file(entry: ArchivedFile, archive_dir, loaded_at: datetime) -> FileOutcome:
    """parse_file, and for a source written as soon as parsed, its raw-layer rows as an Arrow table.
    Done where the file was parsed (a worker process when there are several), so the run's process,
    which writes every file, only inserts: at 10× its writes took 8.6 s from pandas, 7.2 s from Arrow."""
    o = parse_cache.parsed_file(entry, archive_dir, parse_file)  # parsed once per parser version
    if entry.source not in _WRITTEN_AFTER_ALL and o.rows_loaded:
        o.raw = as_arrow(_raw_frame(entry.source, o, loaded_at))
        o.release_rows()
    return o


def as_arrow(frame: pd.DataFrame) -> pa.Table | pd.DataFrame:
    """The frame as an Arrow table, or as it is when a column mixes Python types Arrow will not
    convert (DuckDB's own pandas scan then reads it, more slowly, to the same values)."""
    try:
        return pa.Table.from_pandas(frame, preserve_index=False)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        return frame


def parsed_in_archive_order(entries: list[ArchivedFile], archive_dir, loaded_at: datetime, workers: int) -> Iterator[FileOutcome]:
    """Every entry prepared (prepared_file), in archive order. With more than one worker the files are parsed in that
    many processes (spawned: the run's process has DuckDB's threads running, which fork would not
    carry over safely), at most one file ahead of the workers, so finished files do not pile up in
    memory while a large one is still being parsed."""
    if workers <= 1 or len(entries) <= 1:
        for entry in entries:
            yield prepared_file(entry, archive_dir, loaded_at)
        return
    upcoming = iter(entries)
    # Each worker dies with this process (a `kill -9` of the run must not leave parsers behind).
    with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"),
                             initializer=die_with_parent, initargs=(os.getpid(),)) as pool:
        def submit(batch) -> list[Future[FileOutcome]]:
            return [pool.submit(prepared_file, entry, archive_dir, loaded_at) for entry in batch]

        pending = deque(submit(itertools.islice(upcoming, workers + 1)))
        while pending:
            outcome = pending.popleft().result()
            pending.extend(submit(itertools.islice(upcoming, 1)))
            yield outcome


def supersede_pilot_lists(outcomes: list[FileOutcome]) -> None:
    """Mark the rows of every (locality, year, batch) list that a later submission replaced, and the
    files all of whose lists were replaced."""
    submissions: dict[ListKey, list[Submission]] = {}
    pilots = [o for o in outcomes if o.entry.source == "pilots" and o.status == "loaded" and o.rows_loaded]
    for o in pilots:
        o.rows["superseded_by"] = None
        for (loc, year, batch), group in o.rows.groupby(["locality_code", "year", "batch"]):
            submitted = group["submitted_on"].dropna()
            sub = Submission(o.entry.content_hash, submitted.max() if len(submitted) else None, o.entry.mtime)
            submissions.setdefault(ListKey(loc, int(year), int(batch)), []).append(sub)
    by_hash = {o.entry.content_hash: o for o in pilots}
    for key, subs in submissions.items():
        winner = current_submission(subs)
        for sub in subs:
            if sub is winner:
                continue
            rows = by_hash[sub.file_hash].rows
            mask = (rows["locality_code"] == key.locality_code) & (rows["year"] == key.year) & (rows["batch"] == key.batch)
            rows.loc[mask, "superseded_by"] = winner.file_hash
    for o in pilots:
        if o.rows["superseded_by"].notna().all():
            replacing = sorted({by_hash[h].entry.path for h in o.rows["superseded_by"]})
            o.status = "superseded"
            o.reason = "every list in it was resubmitted later: replaced by " + ", ".join(replacing)


def _raw_frame(source: str, o: FileOutcome, loaded_at: datetime) -> pd.DataFrame:
    from pilotdw.sources.contract import SOURCE_COLUMNS

    columns = RAW_COLUMNS[source] or list(SOURCE_COLUMNS[source])
    rows = o.rows
    frame = pd.DataFrame({c: rows[c] if c in rows else None for c in columns})
    frame["source_file"] = o.entry.path
    frame["file_hash"] = o.entry.content_hash
    frame["sheet"] = rows["sheet"]
    frame["row_number"] = rows["row_number"]
    frame["file_mtime"] = o.entry.mtime
    frame["loaded_at"] = loaded_at
    frame["superseded_by"] = rows["superseded_by"] if "superseded_by" in rows else None
    frame["extra"] = rows["extra"]
    return frame


def _write(con: duckdb.DuckDBPyConnection, table: str, frame: pd.DataFrame | pa.Table) -> None:
    if isinstance(frame, pd.DataFrame):
        if frame.empty:
            return
        frame = as_arrow(frame)
    con.register("_incoming", frame)
    try:
        con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _incoming")
    finally:
        con.unregister("_incoming")


def ingest(con: duckdb.DuckDBPyConnection, archive_dir, *, progress: Progress | None = None, workers: int | None = None) -> IngestSummary:
    """Parse every archived file into the build's raw and audit tables; return what happened.
    `workers`: processes parsing files at once (default: settings.ingest_workers(), or 1 for less
    than PARALLEL_FROM_BYTES of files); the tables are the same whatever the number, written in
    archive order."""
    say = progress or (lambda _msg: None)
    con.execute(RAW_SCHEMA_SQL.read_text(encoding="utf-8"))
    entries = read_manifest(archive_dir)
    active, skipped = file_statuses(entries)
    loaded_at = datetime.now(timezone.utc).replace(tzinfo=None)
    outcomes: list[FileOutcome] = []
    unparsed = parse_cache.to_parse(archive_dir, active)  # the others are read back from the parse cache
    if workers is None:
        workers = ingest_workers() if sum(e.size for e in unparsed) >= PARALLEL_FROM_BYTES else 1
    parsed = parsed_in_archive_order(active, archive_dir, loaded_at, workers)
    for n, (entry, o) in enumerate(zip(active, parsed), 1):
        outcomes.append(o)
        detail = o.reason if o.status == "rejected" else f"{o.rows_loaded:,} rows, {o.rows_quarantined:,} quarantined"
        say(f"[{n}/{len(active)}] {entry.path}: {o.status} — {detail} ({o.seconds:.1f} s)")
        if o.raw is not None:
            # written as soon as parsed (each table still gets its files' rows in file order), so a
            # large source is never held whole in memory
            _write(con, f"raw.{entry.source}", o.raw)
            o.raw = None
    for i, (status, reason) in skipped.items():
        outcomes.append(FileOutcome(entries[i], status=status, reason=reason))
    supersede_pilot_lists(outcomes)

    for source in _WRITTEN_AFTER_ALL:
        frames = [_raw_frame(source, o, loaded_at) for o in outcomes if o.entry.source == source and o.rows is not None and o.rows_loaded]
        if frames:
            _write(con, f"raw.{source}", pd.concat(frames, ignore_index=True))
        for o in outcomes:
            if o.entry.source == source and o.rows is not None:
                o.release_rows()
    quarantine = [
        o.quarantine.assign(source=o.entry.source, file=o.entry.path, file_hash=o.entry.content_hash)
        for o in outcomes
        if o.rows_quarantined
    ]
    if quarantine:
        _write(con, "audit.quarantine", pd.concat(quarantine, ignore_index=True))
    loads = pd.DataFrame(
        {
            "path": [o.entry.path for o in outcomes],
            "content_hash": [o.entry.content_hash for o in outcomes],
            "source": [o.entry.source for o in outcomes],
            "format": [o.format for o in outcomes],
            "encoding": [o.encoding for o in outcomes],
            "rows_read": [o.rows_read for o in outcomes],
            "rows_loaded": [o.rows_loaded for o in outcomes],
            "rows_quarantined": [o.rows_quarantined for o in outcomes],
            "status": [o.status for o in outcomes],
            "reason": [o.reason for o in outcomes],
            "loaded_at": loaded_at,
            "file_mtime": [o.entry.mtime for o in outcomes],
            "archived_at": [pd.Timestamp(o.entry.archived_at).tz_convert(None) for o in outcomes],
            "sheets": [o.sheets or None for o in outcomes],
        }
    )
    _write(con, "audit.loads", loads)
    return_memory()
    return IngestSummary(outcomes)
