"""The benchmark (issue 7): `python -m bench.run [--scales 1,10,40] [--repeats 3] [--out bench/out] [--quick]`.

For each scale N× (N × 25 000 eligible enterprises; seeded demo data as plain csv) and each repeat,
in a fresh home:
  full       `pilotdw run` on the landing folder (archive → ingest → gates → dbt → gates → report → publish)
  unchanged  `pilotdw run` again, nothing landed since (stops after archiving)
  new_list   `pilotdw run` with one new locality list landed (a full rebuild from the archive)
  postgres   `pilotdw run --warehouse postgresql://…` on the same landing, in a fresh home and a fresh
             database (the PostgreSQL engine; bench.postgres finds the server), beside the DuckDB run
Each is timed from outside (wall, CPU, peak RSS of the process tree, how busy the rest of the machine
was) and per Dagster step from <home>/runs/<run_id>.json. Then the floor (bench.floor) on the same
files. Results go to <out>/results.json (merged across invocations, by scale), bench/results.md and
bench/time_vs_scale.png.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import sysconfig
import time
from datetime import datetime, timezone
from pathlib import Path

from pilotdw import settings
from bench import floor
from bench.landing import NATIONAL_ENTERPRISES, landing_for, with_new_list
from bench.proc import run_measured

BENCH_DIR = Path(__file__).resolve().parent
SCENARIOS = ("full", "unchanged", "new_list", "postgres")
# Dagster step → benchmark stage (issue 7: ingest, dbt, gates, report, publish; issue 12: estimate).
STAGES = {
    "landing_check": "archive",  # nothing landed: answered before the job starts (orchestration/runner.py)
    "landing_archive": "archive",
    "raw_layer": "ingest",
    "raw_gates": "gates",
    "mart_gates": "gates",
    "dbt_models": "dbt",
    "marts__pilot_effect": "estimate",  # the causal estimate of marts.pilot_effect (issue 12)
    "reports": "report",
    "published_warehouse": "publish",
}
STAGE_ORDER = ("archive", "ingest", "gates", "dbt", "estimate", "report", "publish")


def git_commit() -> str:
    from bench.report import git_commit as commit  # bench.report imports this module

    return commit()


def say(message: str) -> None:
    print(f"[bench {datetime.now():%H:%M:%S}] {message}", file=sys.stderr, flush=True)


def pilotdw_run(landing: Path, home: Path, logs: Path, label: str, env: dict[str, str]) -> dict:
    """One measured `pilotdw run`, with its own account of its steps."""
    runs_dir = home / "runs"
    before = set(runs_dir.glob("*.json")) if runs_dir.exists() else set()
    logs.mkdir(parents=True, exist_ok=True)
    argv = [str(Path(sys.executable).with_name("pilotdw")), "run", "--landing", str(landing), "--home", str(home), "--quiet"]
    with (logs / f"{label}.out").open("w") as out, (logs / f"{label}.err").open("w") as err:
        m = run_measured(argv, env=env, cwd=settings.PROJECT_ROOT, stdout=out, stderr=err)
    new = sorted(set(runs_dir.glob("*.json")) - before, key=lambda p: p.stat().st_mtime) if runs_dir.exists() else []
    record = json.loads(new[-1].read_text(encoding="utf-8")) if new else {"status": f"no run record (exit {m.returncode})", "step_seconds": {}}
    steps = record.get("step_seconds") or {}
    stages: dict[str, float] = {}
    for step, seconds in steps.items():
        stage = STAGES.get(step, step)
        stages[stage] = round(stages.get(stage, 0.0) + seconds, 3)
    build = home / "builds" / f"{record.get('run_id')}.duckdb"
    warehouse = home / "warehouse.duckdb"
    result = {
        "label": label,
        "status": record.get("status"),
        "exit": m.returncode,
        "run_id": record.get("run_id"),
        "wall_s": m.wall_s,
        "cpu_s": m.cpu_s,
        "steps": steps,
        "stages": stages,
        # process start, imports, Dagster's own bookkeeping between and around the steps
        "outside_steps_s": round(m.wall_s - sum(steps.values()), 3),
        "peak_tree_rss_mb": m.peak_tree_rss_mb,
        "peak_process_rss_mb": m.peak_process_rss_mb,
        "peak_mb_by_stage": peak_by_stage(home, record.get("run_id"), m.samples),
        "other_load": m.other_load,
        "loadavg_before": m.loadavg_before,
        "warehouse_mb": round(warehouse.stat().st_size / 2**20, 1) if warehouse.exists() else None,
        "build_mb": round(build.stat().st_size / 2**20, 1) if build.exists() else None,
    }
    say(f"  {label}: {result['status']} in {m.wall_s:.1f} s (cpu {m.cpu_s:.0f} s, peak {m.peak_tree_rss_mb:.0f} MB, "
        f"others {m.other_load:.2f} CPU) {stages}")
    return result


def peak_by_stage(home: Path, run_id: str | None, samples: list[tuple[float, int]]) -> dict[str, float]:
    """The largest tree RSS sampled while each stage ran, its window taken from the step start and end
    events of Dagster's run history (SQLite under <home>/dagster; times in UTC)."""
    import sqlite3

    db = home / "dagster" / "history" / "runs" / f"{run_id}.db"
    if not run_id or not db.exists():
        return {}
    with sqlite3.connect(db) as con:
        rows = con.execute(
            "SELECT dagster_event_type, step_key, timestamp FROM event_logs "
            "WHERE dagster_event_type IN ('STEP_START', 'STEP_SUCCESS', 'STEP_FAILURE') ORDER BY id"
        ).fetchall()
    started: dict[str, float] = {}
    peaks: dict[str, float] = {}
    for kind, step, stamp in rows:
        at = datetime.fromisoformat(str(stamp)).replace(tzinfo=timezone.utc).timestamp()
        if kind == "STEP_START":
            started[step] = at
        elif step in started:
            inside = [b for t, b in samples if started[step] <= t <= at]
            stage = STAGES.get(step, step)
            if inside:
                peaks[stage] = max(peaks.get(stage, 0.0), round(max(inside) / 2**20, 1))
    return peaks


def bench_scale(scale: int, repeats: int, out: Path, env: dict[str, str], *, regenerate: bool, keep_homes: bool,
                scenarios: tuple[str, ...], pg_admin_url: str | None = None) -> dict:
    say(f"{scale}×: {NATIONAL_ENTERPRISES * scale:,} enterprises")
    landing, gen_s = landing_for(out, scale, regenerate=regenerate)
    say(f"  landing {landing}" + (f" generated in {gen_s:.0f} s" if gen_s else " (reused)"))
    plus, new_rows = with_new_list(landing, out, scale)
    logs = out / "logs" / f"{scale}x"
    runs: dict[str, list[dict]] = {s: [] for s in scenarios}
    floor_home = None
    for r in range(repeats):
        home = out / f"home_{scale}x" / f"r{r}"
        shutil.rmtree(home, ignore_errors=True)
        runs["full"].append(pilotdw_run(landing, home, logs, f"full_r{r}", env))
        if "unchanged" in scenarios:
            runs["unchanged"].append(pilotdw_run(landing, home, logs, f"unchanged_r{r}", env))
        if "new_list" in scenarios:
            runs["new_list"].append(pilotdw_run(plus, home, logs, f"new_list_r{r}", env))
        if "postgres" in scenarios and pg_admin_url:
            from bench.postgres import fresh_database

            pg_home = out / f"home_{scale}x" / f"pg_r{r}"
            shutil.rmtree(pg_home, ignore_errors=True)
            url = fresh_database(pg_admin_url, f"pilotdw_bench_{scale}x")
            runs["postgres"].append(pilotdw_run(landing, pg_home, logs, f"postgres_r{r}", {**env, "PILOTDW_WAREHOUSE_URL": url}))
            shutil.rmtree(pg_home, ignore_errors=True)
        if floor_home is None:
            floor_home = (home, runs["full"][-1]["run_id"])
        elif not keep_homes:
            shutil.rmtree(home, ignore_errors=True)

    say("  floor: DuckDB read_csv of the same files; dbt's compiled SQL in one connection")
    work = out / f"floor_{scale}x"
    work.mkdir(parents=True, exist_ok=True)
    ingest = [floor.ingest_floor(landing, work) for _ in range(repeats)]
    home, run_id = floor_home
    build_db = home / "builds" / f"{run_id}.duckdb"
    dbt: list[dict] = []
    if build_db.exists():
        floor_db, manifest = floor.compile_models(build_db, work)
        dbt = [floor.dbt_floor(build_db, floor_db, manifest) for _ in range(repeats)]
        floor._remove_db(floor_db)
    say(f"  floor ingest {[i['seconds'] for i in ingest]} s, floor dbt {[d['seconds'] for d in dbt]} s")
    if not keep_homes:
        shutil.rmtree(out / f"home_{scale}x", ignore_errors=True)
    return {
        "scale": scale,
        "enterprises": NATIONAL_ENTERPRISES * scale,
        "landing_mb": round(sum(f.stat().st_size for f in landing.rglob("*") if f.is_file()) / 2**20, 1),
        "generated_s": round(gen_s, 1) if gen_s else None,
        "new_list_rows": new_rows,
        "runs": runs,
        "floor": {"ingest": ingest, "dbt": dbt},
        "measured_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
        "commit": git_commit(),  # each scale may be measured by a different invocation
    }


def bytecode_state(compile_missing: bool) -> str:
    """Whether the environment's third-party modules have compiled bytecode. `uv sync` does not
    compile it and PYTHONDONTWRITEBYTECODE=1 stops Python caching it, so without this every
    `pilotdw run` and every dbt process recompiles dagster, dbt and GX from source (~10–20 s)."""
    purelib = Path(sysconfig.get_paths()["purelib"])
    probe = purelib / "great_expectations" / "__pycache__"
    if probe.is_dir() and any(probe.glob("*.pyc")):
        return "present"
    if not compile_missing:
        return "absent"
    say(f"compiling bytecode of {purelib} once (what `uv sync --compile-bytecode` does) …")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-m", "compileall", "-q", "-j", "0", str(purelib)], check=False, stdout=subprocess.DEVNULL)
    return f"compiled by the benchmark ({time.perf_counter() - started:.0f} s)"


def run_env(out: Path, no_bytecode: bool) -> dict[str, str]:
    env = {**os.environ, "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "PILOTDW_QUIET": "1"}
    if no_bytecode:
        # an empty cache prefix: Python finds no bytecode anywhere and compiles every module it imports
        empty = out / "no_bytecode_prefix"
        shutil.rmtree(empty, ignore_errors=True)
        empty.mkdir(parents=True)
        env.update(PYTHONPYCACHEPREFIX=str(empty), PYTHONDONTWRITEBYTECODE="1")
    return env


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scales", default="1,10,40", help="comma-separated multiples of national scale (default 1,10,40)")
    parser.add_argument("--repeats", type=int, default=3, help="runs per scenario; medians are reported (default 3)")
    parser.add_argument("--out", default=str(BENCH_DIR / "out"), help="data, homes and raw results (default bench/out)")
    parser.add_argument("--quick", action="store_true", help="1× only, one repeat")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS), help="full[,unchanged][,new_list][,postgres]")
    parser.add_argument("--regenerate", action="store_true", help="generate the landing data even if present")
    parser.add_argument("--keep-homes", action="store_true", help="keep every run's home (they are large at 40×)")
    parser.add_argument("--no-compile", action="store_true", help="do not compile missing bytecode of the environment first")
    parser.add_argument("--no-bytecode", action="store_true", help="measure as if no bytecode existed (every import compiles)")
    parser.add_argument("--tag", default="", help="store results under this tag (e.g. 'no-bytecode'): not in the main table")
    parser.add_argument("--no-report", action="store_true", help="do not rewrite bench/results.md and the plot")
    args = parser.parse_args(argv)
    scales = [1] if args.quick else [int(s) for s in args.scales.split(",") if s.strip()]
    repeats = 1 if args.quick else args.repeats
    scenarios = tuple(s for s in args.scenarios.split(",") if s in SCENARIOS)
    if "full" not in scenarios:
        parser.error("--scenarios must include full")
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)

    results_path = out / "results.json"
    results = json.loads(results_path.read_text(encoding="utf-8")) if results_path.exists() else {"scales": {}, "tagged": {}}
    bytecode = bytecode_state(compile_missing=not args.no_compile)
    env = run_env(out, args.no_bytecode)
    pg_admin_url = None
    if "postgres" in scenarios:
        from bench.postgres import server_url

        pg_admin_url, where = server_url()
        say(f"postgres scenario: {where}" if pg_admin_url else f"postgres scenario skipped: {where}")
    for scale in scales:
        measured = bench_scale(scale, repeats, out, env, regenerate=args.regenerate, keep_homes=args.keep_homes, scenarios=scenarios,
                               pg_admin_url=pg_admin_url)
        measured["repeats"] = repeats
        measured["bytecode"] = "disabled (--no-bytecode)" if args.no_bytecode else bytecode
        if args.tag:
            results.setdefault("tagged", {}).setdefault(args.tag, {})[str(scale)] = measured
        else:
            results["scales"][str(scale)] = measured
        results_path.write_text(json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8")
    if not args.no_report:
        from bench.plot import plot
        from bench.report import write_results

        plot(results, BENCH_DIR / "time_vs_scale.png")
        write_results(results, BENCH_DIR / "results.md")
        say(f"wrote {BENCH_DIR / 'results.md'} and {BENCH_DIR / 'time_vs_scale.png'}")
    return 0


def median(values) -> float | None:
    values = [v for v in values if v is not None]
    return round(statistics.median(values), 3) if values else None


if __name__ == "__main__":
    sys.exit(main())
