"""A/B: the same `pilotdw run` scenarios with two versions of the code, back to back, alternating
(issue 17). The machine is shared, so each pair runs one right after the other and the medians of
several pairs are compared, with the CPU time and the others' load of every run.

    .venv/bin/python -m bench.ab --base /work/wt/base --scale 1 --repeats 3

`--base` and `--new` are checkouts, each set up with its own environment (`git worktree add DIR
<commit> && make -C DIR setup`): each runs as its own `DIR/.venv/bin/pilotdw`, since both install
the same `pilotdw` package. Not a test.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
from pathlib import Path

from pilotdw import settings
from bench.landing import landing_for, with_new_list
from bench.proc import run_measured
from bench.run import STAGES

SCENARIOS = ("full", "unchanged", "new_list")


def run_once(root: Path, landing: Path, home: Path, logs: Path, label: str) -> dict:
    runs_dir = home / "runs"
    before = set(runs_dir.glob("*.json")) if runs_dir.exists() else set()
    # each checkout's own environment: both install the package `pilotdw` (editable, from their folder)
    argv = [str(root / ".venv" / "bin" / "pilotdw"), "run", "--landing", str(landing), "--home", str(home), "--quiet"]
    logs.mkdir(parents=True, exist_ok=True)
    with (logs / f"{label}.out").open("w") as out, (logs / f"{label}.err").open("w") as err:
        m = run_measured(argv, env=None, cwd=root, stdout=out, stderr=err)
    new = sorted(set(runs_dir.glob("*.json")) - before, key=lambda p: p.stat().st_mtime) if runs_dir.exists() else []
    record = json.loads(new[-1].read_text(encoding="utf-8")) if new else {"status": f"exit {m.returncode}", "step_seconds": {}}
    stages: dict[str, float] = {}
    for step, seconds in (record.get("step_seconds") or {}).items():
        stages[STAGES.get(step, step)] = round(stages.get(STAGES.get(step, step), 0.0) + seconds, 2)
    result = {"label": label, "status": record.get("status"), "run_id": record.get("run_id"), "wall_s": round(m.wall_s, 2),
              "cpu_s": round(m.cpu_s, 1), "peak_mb": round(m.peak_tree_rss_mb), "others": round(m.other_load, 2), "stages": stages}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return result


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", type=Path, required=True, help="checkout of the code to compare against")
    parser.add_argument("--new", type=Path, default=settings.PROJECT_ROOT)
    parser.add_argument("--scale", type=int, default=1)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--out", type=Path, default=settings.PROJECT_ROOT / "bench" / "out")
    parser.add_argument("--scenarios", default=",".join(SCENARIOS))
    parser.add_argument("--keep-homes", action="store_true", help="keep the homes (to compare their marts)")
    args = parser.parse_args(argv)
    scenarios = tuple(args.scenarios.split(","))
    landing, _ = landing_for(args.out, args.scale)
    plus, _ = with_new_list(landing, args.out, args.scale)
    results: dict[str, dict[str, list[dict]]] = {"base": {s: [] for s in scenarios}, "new": {s: [] for s in scenarios}}
    for r in range(args.repeats):
        for name, root in (("base", args.base), ("new", args.new)) if r % 2 == 0 else (("new", args.new), ("base", args.base)):
            home = args.out / f"ab_{args.scale}x" / f"{name}_r{r}"
            shutil.rmtree(home, ignore_errors=True)
            logs = args.out / "logs" / f"ab_{args.scale}x"
            for s in scenarios:
                results[name][s].append(run_once(root, plus if s == "new_list" else landing, home, logs, f"{name}_{s}_r{r}"))
            if not args.keep_homes:
                shutil.rmtree(home, ignore_errors=True)
    print("\nmedians (wall s / cpu s / others' load):")
    for s in scenarios:
        for name in ("base", "new"):
            rs = results[name][s]
            stages = {k: statistics.median(x["stages"].get(k, 0.0) for x in rs) for k in sorted({k for x in rs for k in x["stages"]})}
            print(f"  {s:<10} {name:<5} {statistics.median(x['wall_s'] for x in rs):7.1f} / {statistics.median(x['cpu_s'] for x in rs):6.1f} / "
                  f"{statistics.median(x['others'] for x in rs):.2f}  {stages}")
    (args.out / f"ab_{args.scale}x.json").write_text(json.dumps(results, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
