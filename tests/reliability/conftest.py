"""Drills as an operator would run them, on the real `pilotdw` CLI and small generated data.

The expensive drill — a run killed at each stage, then a run that recovers and publishes — is done
once per test session (a file lock shares it between test workers, as tests/e2e does); its
published home then serves the hostile-SQL and release drills."""
from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from filelock import FileLock

PILOTDW = Path(sys.executable).with_name("pilotdw")
ENV = {**os.environ, "DO_NOT_TRACK": "1", "GX_ANALYTICS_ENABLED": "false", "PILOTDW_INGEST_WORKERS": "2"}
# A demo landing of ~1.2 MB: above sources.load.PARALLEL_FROM_BYTES, so the raw stage has two
# worker processes to leave behind; small enough for a run of well under a minute.
DRILL_SCALE = "0.35"
# Each stage's name, and the progress lines (stderr, in this order) that show a run is inside it:
# the raw layer once the first file is parsed; dbt once it started; the report once the gates after
# dbt have printed their line.
KILL_STAGES = [("raw", ("[1/",)), ("dbt", ("dbt: building",)), ("report", ("dbt: building", "gates:"))]


def pilotdw(*args: str, timeout: float = 600, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([str(PILOTDW), *args], capture_output=True, text=True, env={**ENV, **(env or {})}, timeout=timeout)


class Started:
    """`pilotdw run` started in its own session, its stderr read line by line in a thread."""

    def __init__(self, landing: Path, home: Path, *extra: str, env: dict | None = None):
        self.proc = subprocess.Popen([str(PILOTDW), "run", "--landing", str(landing), "--home", str(home), *extra],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, **(env or {})},
                                     start_new_session=True)
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        for line in self.proc.stderr:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()
        with self._seen:
            self._seen.notify_all()

    def wait_for(self, *prefixes: str, timeout: float = 300) -> str:
        """The first stderr line starting with the last prefix and coming after lines starting with
        each earlier one; fails if the run ends or the time passes first."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while True:
                found, at = None, 0
                for prefix in prefixes:
                    at = next((i for i in range(at, len(self.lines)) if self.lines[i].startswith(prefix)), None)
                    if at is None:
                        break
                    found, at = self.lines[at], at + 1
                if at is not None and found is not None:
                    return found
                if self.proc.poll() is not None and not self._reader.is_alive():
                    raise AssertionError(f"the run ended (exit {self.proc.returncode}) before {prefixes}:\n" + "\n".join(self.lines[-20:]))
                if time.monotonic() > deadline:
                    raise AssertionError(f"no lines {prefixes} within {timeout} s:\n" + "\n".join(self.lines[-20:]))
                self._seen.wait(1)

    def kill_leader(self) -> None:
        """SIGKILL the run's own process only — not its process group — as `kill -9 <pid>` does."""
        os.kill(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=60)
        self._reader.join(timeout=30)

    def finish(self, timeout: float = 600) -> tuple[int, str, str]:
        out = self.proc.stdout.read()
        self.proc.wait(timeout=timeout)
        self._reader.join(timeout=30)
        return self.proc.returncode, out, "\n".join(self.lines)


def _stat(pid: str) -> tuple[str, int] | None:
    """(state, session id) of a process, from /proc/<pid>/stat."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2:].split()
    return fields[0], int(fields[3])


def _mentions(pid: str, needle: str) -> bool:
    for name in ("cmdline", "environ"):
        try:
            if needle.encode() in Path(f"/proc/{pid}/{name}").read_bytes():
                return True
        except OSError:
            pass
    return False


def survivors(session: int, home: Path) -> list[str]:
    """Live processes of the killed run's session, or whose command line or environment names its
    home (zombies are dead: they only wait for their parent to collect them)."""
    found = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit() and int(p) != os.getpid()):
        stat = _stat(pid)
        if stat is None or stat[0] == "Z":
            continue
        if stat[1] == session or _mentions(pid, str(home)):
            try:
                cmd = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:200]
            except OSError:
                continue
            found.append(f"{pid}: {cmd}")
    return found


def wait_no_survivors(session: int, home: Path, timeout: float = 30) -> list[str]:
    """Survivors after the kernel has had time to deliver the parent-death signals."""
    deadline = time.monotonic() + timeout
    while True:
        left = survivors(session, home)
        if not left or time.monotonic() > deadline:
            return left
        time.sleep(0.5)


@dataclass
class Drill:
    landing: Path
    home: Path
    killed: list[dict] = field(default_factory=list)  # stage, run_id, pid, survivors, children seen before the kill
    busy: dict = field(default_factory=dict)  # the concurrent run: exit code, stderr, lock before/after
    final: dict = field(default_factory=dict)  # the recovering run: exit code, stdout, stderr
    recovered: list[str] = field(default_factory=list)  # every run's "recovered: …" lines

    @property
    def warehouse(self) -> Path:
        return self.home / "warehouse.duckdb"


def _children(session: int) -> list[str]:
    out = []
    for pid in (p for p in os.listdir("/proc") if p.isdigit()):
        stat = _stat(pid)
        if stat and stat[1] == session and stat[0] != "Z" and int(pid) != session:
            try:
                out.append(Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")[:120])
            except OSError:
                pass
    return out


def _wait_for_child(session: int, needle: str, timeout: float = 120) -> list[str]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        kids = _children(session)
        if any(needle in k for k in kids):
            return kids
        time.sleep(0.2)
    return _children(session)


def run_drill(root: Path) -> Drill:
    landing, home = root / "landing", root / "home"
    gen = pilotdw("demo-data", str(landing), "--scale", DRILL_SCALE)
    assert gen.returncode == 0, gen.stderr
    drill = Drill(landing, home)
    for stage, lines in KILL_STAGES:
        run = Started(landing, home)
        run.wait_for(*lines)
        owner = json.loads((home / ".lock").read_text(encoding="utf-8"))
        kids = []
        if stage == "raw":
            kids = _wait_for_child(run.proc.pid, "spawn_main", timeout=60)
        elif stage == "dbt":
            kids = _wait_for_child(run.proc.pid, "pilotdw.orchestration.dbt_child", timeout=60)
            lock_before = (home / ".lock").read_bytes()
            second = pilotdw("run", "--landing", str(landing), "--home", str(home), timeout=300)
            drill.busy = {"returncode": second.returncode, "stderr": second.stderr, "stdout": second.stdout,
                          "lock_before": lock_before.decode(), "lock_after": (home / ".lock").read_bytes().decode()}
        run.kill_leader()
        left = wait_no_survivors(run.proc.pid, home)
        drill.recovered += [l for l in run.lines if l.startswith("recovered:")]
        drill.killed.append({"stage": stage, "run_id": owner["run_id"], "pid": owner["pid"], "children": kids, "survivors": left,
                             "build_files": sorted(p.name for p in (home / "builds").glob(f"{owner['run_id']}*"))})
    code, out, err = Started(landing, home).finish()
    drill.final = {"returncode": code, "stdout": out, "stderr": err}
    drill.recovered += [l for l in err.splitlines() if l.startswith("recovered:")]
    return drill


@pytest.fixture(scope="session")
def drill(tmp_path_factory, worker_id) -> Drill:
    shared = tmp_path_factory.getbasetemp() if worker_id == "master" else tmp_path_factory.getbasetemp().parent
    root, done = shared / "reliability_drill", shared / "reliability_drill.json"
    with FileLock(str(shared / "reliability_drill.lock")):
        if not done.exists():
            d = run_drill(root)
            done.write_text(json.dumps({"killed": d.killed, "busy": d.busy, "final": d.final, "recovered": d.recovered}), encoding="utf-8")
        saved = json.loads(done.read_text(encoding="utf-8"))
    return Drill(root / "landing", root / "home", saved["killed"], saved["busy"], saved["final"], saved["recovered"])


def dagster_run(home: Path, run_id: str) -> tuple[str, list[str]]:
    """A run's status in the home's Dagster storage, and the messages of its failure events."""
    import dagster as dg

    from pilotdw.orchestration.runner import dagster_instance

    with dagster_instance(home) as instance:
        run = instance.get_run_by_id(run_id)
        if run is None:
            return "MISSING", []
        failures = instance.all_logs(run_id, of_type=dg.DagsterEventType.RUN_FAILURE)
        return run.status.value, [e.dagster_event.message or "" for e in failures if e.dagster_event]
