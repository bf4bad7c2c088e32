"""Running one command and measuring it from outside: wall time, CPU time, the peak memory of its
whole process tree (pilotdw runs dbt as a child process), and how busy the rest of the machine was
meanwhile (the machine is shared: a measurement taken while others ran is flagged)."""
from __future__ import annotations

import os
import subprocess
import threading
import time
from dataclasses import dataclass
from pathlib import Path

PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
NCPU = os.cpu_count() or 1


@dataclass
class Measured:
    returncode: int
    wall_s: float
    cpu_s: float  # user + system of the process and every child it reaped
    peak_tree_rss_mb: float  # the largest sum of RSS over the process tree, sampled every 50 ms
    peak_process_rss_mb: float  # the largest single process (kernel's ru_maxrss)
    other_load: float  # CPUs kept busy by other processes during the run, on average (0..NCPU)
    loadavg_before: float
    samples: list[tuple[float, int]]  # (unix time, tree RSS bytes), every 50 ms: peaks per stage


def _busy_ticks() -> int:
    """Busy jiffies of the whole machine since boot (all CPUs)."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    values = [int(v) for v in fields]
    idle = values[3] + values[4]  # idle + iowait
    return sum(values[:8]) - idle


def _children_of() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            stat = Path(entry.path, "stat").read_text()
        except OSError:
            continue
        # the command name may contain spaces and parentheses: the ppid follows the last ')'
        ppid = int(stat[stat.rindex(")") + 2 :].split()[1])
        tree.setdefault(ppid, []).append(int(entry.name))
    return tree


def tree_rss_bytes(root: int) -> int:
    tree = _children_of()
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        try:
            total += int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE
        except (OSError, IndexError, ValueError):
            pass
        stack.extend(tree.get(pid, ()))
    return total


def run_measured(argv: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None,
                 stdout=None, stderr=None) -> Measured:
    loadavg = float(Path("/proc/loadavg").read_text().split()[0])
    busy0 = _busy_ticks()
    started = time.perf_counter()
    proc = subprocess.Popen(argv, env=env, cwd=cwd, stdout=stdout, stderr=stderr)
    samples: list[tuple[float, int]] = []
    done = threading.Event()

    def sample() -> None:
        while not done.is_set():
            samples.append((time.time(), tree_rss_bytes(proc.pid)))
            done.wait(0.05)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.perf_counter() - started
    done.set()
    sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    busy = (_busy_ticks() - busy0) / TICKS
    cpu = usage.ru_utime + usage.ru_stime
    return Measured(
        returncode=proc.returncode,
        wall_s=round(wall, 3),
        cpu_s=round(cpu, 2),
        peak_tree_rss_mb=round(max((b for _, b in samples), default=0) / 2**20, 1),
        peak_process_rss_mb=round(usage.ru_maxrss / 1024, 1),
        other_load=round(max(0.0, busy - cpu) / wall, 2) if wall > 0 else 0.0,
        loadavg_before=loadavg,
        samples=samples,
    )
