"""bench/time_vs_scale.png: wall time of each stage and end to end against scale, with the floor."""
from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")  # no display: the benchmark runs headless

import matplotlib.pyplot as plt  # noqa: E402

from bench.report import TARGETS, summary  # noqa: E402


def plot(results: dict, path: Path) -> None:
    scales = sorted(results["scales"].values(), key=lambda s: s["scale"])
    if not scales:
        return
    xs = [s["enterprises"] for s in scales]
    sums = [summary(s) for s in scales]
    fig, ax = plt.subplots(figsize=(10, 5.5), dpi=120)
    ax.plot(xs, [m["wall"] for m in sums], "o-", color="black", linewidth=2.2, label="pilotdw run, end to end")
    for stage, color in (("ingest", "tab:blue"), ("dbt", "tab:orange"), ("gates", "tab:green"), ("report", "tab:purple"), ("publish", "tab:brown")):
        ys = [m["stages"][stage] for m in sums]
        if any(y is not None for y in ys):
            ax.plot(xs, ys, "o-", color=color, linewidth=1.2, label=f"pilotdw {stage}")
    ax.plot(xs, [m["floor_ingest"] for m in sums], "s--", color="tab:blue", alpha=0.6, label="floor: DuckDB read_csv")
    ax.plot(xs, [m["floor_dbt"] for m in sums], "s--", color="tab:orange", alpha=0.6, label="floor: compiled dbt SQL")
    ax.plot(xs, [m["unchanged"] for m in sums], "v:", color="grey", label="nothing landed")
    for seconds, label in ((TARGETS["full_40x_s"], "10 min (40× target)"), (TARGETS["full_1x_s"], "60 s (1× target)"),
                           (TARGETS["unchanged_s"], "15 s (nothing landed)")):
        ax.axhline(seconds, color="red", linestyle=":", linewidth=0.8)
        ax.text(xs[-1], seconds * 1.05, label, color="red", fontsize=8, ha="right")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xticks(xs, [f"{s['scale']}×\n{s['enterprises']:,}" for s in scales])
    ax.minorticks_off()
    ax.set_xlabel("scale (eligible enterprises)")
    ax.set_ylabel("wall time, seconds (median)")
    ax.set_title("pilotdw nightly run against scale (2 CPUs)")
    ax.grid(True, which="major", alpha=0.3)
    ax.legend(fontsize=8, loc="upper left", bbox_to_anchor=(1.01, 1.0))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
