"""The benchmark's landing folders: the seeded demo generator at N× national scale (plain UTF-8 csv,
so DuckDB's read_csv can read the same files for the floor), and the same folder plus one new
locality list (the "one new list landed" run)."""
from __future__ import annotations

import csv
import json
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

import duckdb

NATIONAL_ENTERPRISES = 25_000  # 1× = the national programme today (issue 7)
SOURCES = ("registers", "pilots", "assessments", "filings")
NEW_LIST_LOCALITY = "110000"  # Beijing: a second 2025 batch that did not exist before
NEW_LIST_NAME = f"{NEW_LIST_LOCALITY}_2025_b2_bench新增试点名单.csv"


def landing_for(out: Path, scale: int, *, regenerate: bool = False) -> tuple[Path, float | None]:
    """The landing folder of `scale`, generated unless an identical one is already there.
    Returns the folder and the generation time (None when reused)."""
    landing = out / f"landing_{scale}x"
    stamp = out / f"landing_{scale}x.json"
    wanted = {"enterprises": NATIONAL_ENTERPRISES * scale, "formats": "csv", "seed": 2023}
    if not regenerate and stamp.exists() and json.loads(stamp.read_text()) == wanted and landing.is_dir():
        return landing, None
    stamp.unlink(missing_ok=True)
    started = time.perf_counter()
    subprocess.run(
        [str(Path(sys.executable).with_name("pilotdw")), "demo-data", str(landing), "--enterprises", str(wanted["enterprises"]),
         "--seed", str(wanted["seed"]), "--formats", "csv", "--overwrite"],
        check=True, stdout=subprocess.DEVNULL,
    )
    took = time.perf_counter() - started
    stamp.write_text(json.dumps(wanted))
    return landing, took


def landed_files(landing: Path) -> dict[str, list[Path]]:
    """The csv/tsv files of each source folder (the benchmark landing has no xlsx)."""
    return {s: sorted(p for p in (landing / s).glob("*") if p.suffix.lower() in (".csv", ".tsv")) for s in SOURCES}


def with_new_list(landing: Path, out: Path, scale: int) -> tuple[Path, int]:
    """A copy of `landing` (hard links: same bytes, same modification times, so the archive sees
    every old file as unchanged) plus one new pilot list for Beijing, 2025, batch 2: register
    enterprises of Beijing that no list names yet. Returns the folder and the rows of the new list."""
    plus = out / f"landing_{scale}x_newlist"
    if plus.exists():
        shutil.rmtree(plus)
    for source, files in landed_files(landing).items():
        (plus / source).mkdir(parents=True)
        for f in files:
            os.link(f, plus / source / f.name)
    rows = _unlisted_enterprises(landing, limit=200 * scale)
    with (plus / "pilots" / NEW_LIST_NAME).open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow(["seq", "name", "uscc", "category", "submitted_on"])
        for i, (name, uscc) in enumerate(rows, 1):
            writer.writerow([i, name, uscc, "国家知识产权优势企业", "2025-06-20"])
    return plus, len(rows)


def _unlisted_enterprises(landing: Path, limit: int) -> list[tuple[str, str]]:
    files = landed_files(landing)
    registers = [str(p) for p in files["registers"]]
    pilots = [str(p) for p in files["pilots"] if p.suffix == ".csv"]
    with duckdb.connect() as con:
        found = con.execute(
            f"""
            WITH reg AS (
                SELECT DISTINCT uscc, first(name) OVER (PARTITION BY uscc) AS name
                FROM read_csv(?, union_by_name = true, all_varchar = true)
                WHERE substr(uscc, 3, 2) = '{NEW_LIST_LOCALITY[:2]}' AND length(uscc) = 18
                  AND (revoked_year IS NULL OR revoked_year = '')
            ),
            listed AS (SELECT DISTINCT uscc FROM read_csv(?, union_by_name = true, all_varchar = true))
            SELECT name, uscc FROM reg WHERE uscc NOT IN (SELECT uscc FROM listed WHERE uscc IS NOT NULL)
            ORDER BY uscc LIMIT {int(limit) * 2}
            """,
            [registers, pilots],
        ).fetchall()
    # only valid codes: the new list is a clean submission, not a quarantine test
    from pilotdw.sources.uscc import uscc_problem

    return [(name, uscc) for name, uscc in found if uscc_problem(uscc) is None][:limit]
