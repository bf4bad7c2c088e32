"""Demo and test data for pilotdw: a complete landing folder in every shape the data contract
accepts, telling a national story (demo/README.md tells the story and lists the shapes).

    from pilotdw.demo.generate import write_landing
    summary = write_landing(Path("landing"), scale=1.0, seed=2023)

or `python -m demo.generate OUT [--scale 1 | --enterprises N] [--seed 2023] [--formats mixed|csv]
[--localities 310000,320000] [--include-rejects] [--overwrite]`.
"""
from __future__ import annotations

import argparse
import gc
import json
import shutil
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

import numpy as np

from pilotdw.demo import activity, pilots, population, registers
from pilotdw.demo.codes import day
from pilotdw.demo.shapes import Landing
from pilotdw.demo.vocab import DEMO_ENTERPRISES
from pilotdw.settings import SOURCES
from pilotdw.settings import localities as all_localities

__all__ = ["DEMO_ENTERPRISES", "write_landing"]

FORMATS = ("mixed", "csv")


def write_landing(out_dir: Path, *, scale: float = 1.0, seed: int = 2023, localities: list[str] | None = None,
                  formats: str = "mixed", progress: Callable[[str], None] | None = None,
                  enterprises: int | None = None, include_rejects: bool = False, overwrite: bool = False) -> dict:
    """Write <out_dir>/registers, pilots, assessments, filings and return what was written.

    enterprises: distinct register enterprises (default DEMO_ENTERPRISES × scale); localities: a
    subset of locality codes (default all 37); formats: 'mixed' (every shape of the contract) or
    'csv' (plain UTF-8 csv with English headers; the real Shanghai tsv is still copied);
    include_rejects: add files the pipeline must reject whole. Refuses to write into non-empty
    source folders unless overwrite=True (which empties those four folders first).
    Same arguments, same bytes and modification times."""
    started = time.perf_counter()
    if formats not in FORMATS:
        raise ValueError(f"formats must be one of {FORMATS}, got {formats!r}")
    codes = _locality_codes(localities)
    total = int(enterprises) if enterprises is not None else int(round(DEMO_ENTERPRISES * scale))
    if total < len(codes):
        raise ValueError(f"need at least one enterprise per locality ({len(codes)}), got {total}")
    root = Path(out_dir)
    _prepare(root, overwrite)
    say = progress or (lambda _msg: None)
    landing = Landing(root, seed, formats)

    say(f"population: {total} enterprises in {len(codes)} localities")
    pop = population.build(seed, total, codes)
    say("registers")
    reg_kinds = registers.write(seed, pop, landing)
    say("pilot lists")
    plan = pilots.build(seed, pop, codes)
    pilots.write(seed, plan, landing)
    if pop.real_rows:
        landing.copy("pilots", "310000_2023_b1_首批名单.tsv", population.REAL_SHANGHAI, pilots.REAL_LIST_DAY,
                      rows=len(pop.real_rows))
    counts = {"enterprises": len(pop.ents), "register_rows": len(pop.quals), "pilot_enterprises": len(plan.pilots)}
    pilot_kinds = _pilot_bad_kinds(plan)
    # Only plan.pilots is needed from here on: let the lists and the population go before the
    # biggest stage (bounded memory at a million enterprises).
    for pl in plan.lists:
        pl.rows = pl.members = pl.bad = None
    del pop
    gc.collect()
    say(f"assessments and filings for {len(plan.pilots)} pilots")
    act_kinds = activity.write(seed, plan, landing, codes, say)
    if include_rejects:
        _write_rejects(landing)
    landing.set_mtimes()
    corrections = act_kinds["filings"].pop("corrections", 0)
    summary = _summary(landing, counts, plan, {"registers": reg_kinds, "pilots": pilot_kinds, **act_kinds})
    summary.update(seed=seed, formats=formats, scale=scale, filing_corrections=corrections,
                   seconds=round(time.perf_counter() - started, 2))
    say(f"done in {summary['seconds']} s")
    return summary


def _locality_codes(requested: list[str] | None) -> list[str]:
    known = [loc.code for loc in all_localities()]
    if requested is None:
        return known
    unknown = sorted(set(requested) - set(known))
    if unknown:
        raise ValueError(f"unknown locality codes {unknown}; expected codes from dbt_project/seeds/localities.csv")
    return [c for c in known if c in set(requested)]


def _prepare(root: Path, overwrite: bool) -> None:
    for source in SOURCES:
        folder = root / source
        if folder.exists() and any(folder.iterdir()):
            if not overwrite:
                raise FileExistsError(f"{folder} is not empty: pass overwrite=True (--overwrite) to replace it")
            shutil.rmtree(folder)
        folder.mkdir(parents=True, exist_ok=True)


def _pilot_bad_kinds(plan: pilots.PilotPlan) -> Counter:
    counts = Counter()
    for pl in plan.lists:
        if pl.bad is not None and pl.bad.any():
            kinds = pl.rows["kind"].to_numpy()[pl.bad]
            counts["unknown_locality"] += int((kinds == "bad_locality").sum())
            counts["bad_uscc"] += int((kinds != "bad_locality").sum())
    return counts


def _write_rejects(landing: Landing) -> None:
    """Files the contract rejects whole: another format, an unreadable workbook, a header without
    a required column, a pilot list that names neither locality, year nor batch."""
    when = day(2026, 2, 1)
    pdf = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"
    landing.raw("pilots", "320000_2024_b1_盖章扫描件.pdf", pdf, when, "format not accepted (.pdf)")
    landing.raw("filings", "annual_data_2024_损坏.xlsx", b"PK\x03\x04 this is not a workbook", when,
                "unreadable xlsx")
    landing.raw("assessments", "initial_missing_total.csv",
                "uscc,kind,assessed_on,evaluator\n91310000132200821H,initial,2024-05-06,自评\n".encode("utf-8"), when,
                "header lacks required column total_score")
    landing.raw("pilots", "试点名单汇总.csv", "序号,单位名称,统一社会信用代码\n1,上海某某科技有限公司,\n".encode("utf-8"), when,
                "no locality/year/batch in file name or columns")


def _summary(landing: Landing, counts: dict, plan: pilots.PilotPlan, bad_kinds: dict) -> dict:
    accepted = [r for r in landing.records if r.rejected is None]
    files = {s: sum(1 for r in accepted if r.source == s) for s in SOURCES}
    rows = {s: sum(r.rows for r in accepted if r.source == s) for s in SOURCES}
    bad = {s: sum(r.bad_rows for r in accepted if r.source == s) for s in SOURCES}
    sizes = {s: sum((landing.root / r.path).stat().st_size for r in accepted if r.source == s) for s in SOURCES}
    return {
        "out_dir": str(landing.root),
        **counts,
        "files": files, "rows": rows, "bad_rows": bad, "bytes": sizes,
        "bad_row_kinds": {s: dict(sorted(Counter(bad_kinds.get(s, {})).items())) for s in SOURCES},
        "rejected_files": [{"path": r.path, "reason": r.rejected} for r in landing.records if r.rejected],
        "details": [{"path": r.path, "source": r.source, "format": r.format, "encoding": r.encoding,
                     "rows": r.rows, "bad_rows": r.bad_rows, "sheets": r.sheets, "header_row": r.header_row,
                     "arrived": str(r.when)} for r in accepted],
        **{k: v for k, v in plan.notes.items()},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m demo.generate", description=__doc__.split("\n\n")[0])
    ap.add_argument("out_dir", type=Path)
    ap.add_argument("--scale", type=float, default=1.0)
    ap.add_argument("--enterprises", type=int)
    ap.add_argument("--seed", type=int, default=2023)
    ap.add_argument("--formats", choices=FORMATS, default="mixed")
    ap.add_argument("--localities", help="comma-separated locality codes (default: all 37)")
    ap.add_argument("--include-rejects", action="store_true")
    ap.add_argument("--overwrite", action="store_true")
    ap.add_argument("--details", action="store_true", help="print every file, not only the totals")
    args = ap.parse_args(argv)
    summary = write_landing(args.out_dir, scale=args.scale, seed=args.seed, formats=args.formats,
                            localities=args.localities.split(",") if args.localities else None,
                            enterprises=args.enterprises, include_rejects=args.include_rejects,
                            overwrite=args.overwrite, progress=lambda m: print(m, file=sys.stderr))
    if not args.details:
        summary.pop("details")
    print(json.dumps(summary, ensure_ascii=False, indent=2, default=_jsonable))
    return 0


def _jsonable(value):
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (np.floating,)):
        return float(value)
    return str(value)


if __name__ == "__main__":
    raise SystemExit(main())
