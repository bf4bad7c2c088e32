"""What the CLI promises an operator: the exit codes and the sql limits are in --help, the lock
file is never truncated by a loser, and a lock left by a dead owner names it."""
from __future__ import annotations

import os
import subprocess
import sys

import pytest
from click.testing import CliRunner

from pilotdw.orchestration.cli import main
from pilotdw.orchestration.recovery import HomeBusy, hold_home


def help_of(*args: str) -> str:
    got = CliRunner().invoke(main, [*args, "--help"])
    assert got.exit_code == 0
    return " ".join(got.output.split())


def test_main_help_states_the_exit_codes():
    text = help_of()
    for phrase in ("0 published or unchanged", "1 blocked by a quality gate", "2 failed", "3 another run holds the home"):
        assert phrase in text


def test_run_help_states_the_exit_codes():
    text = help_of("run")
    for phrase in ("0 published, or nothing landed", "1 a blocking quality gate", "2 the run failed otherwise", "3 another pilotdw run holds this home"):
        assert phrase in text


def test_sql_help_states_its_limits():
    text = help_of("sql")
    assert "--timeout" in text and "300" in text
    assert "Refused: COPY, ATTACH, DETACH, USE, INSTALL, LOAD, SET, PRAGMA" in text
    assert "enable_external_access=false" in text and "Ctrl-C" in text


def test_release_and_rebuild_help():
    assert "never pruned" in help_of("release") and "--supersede" in help_of("release")
    assert "--as-of" in help_of("rebuild") and "--release" in help_of("rebuild")


def test_loser_does_not_touch_the_lock(tmp_path):
    with hold_home(tmp_path) as lock:
        lock.claim("run-a")
        before = (tmp_path / ".lock").read_bytes()
        with pytest.raises(HomeBusy, match=f"pid {os.getpid()}, run run-a"):
            with hold_home(tmp_path):
                pass
        assert (tmp_path / ".lock").read_bytes() == before
    assert (tmp_path / ".lock").read_text() == ""  # a clean finish clears it


def test_a_dead_owner_is_named_to_the_next_holder(tmp_path):
    """A process that claims the lock and dies (SIGKILL) leaves its entry; the next holder reads it."""
    code = ("import os, signal, sys; from pathlib import Path; from orchestration.recovery import hold_home\n"
            f"with hold_home(Path({str(tmp_path)!r})) as lock:\n"
            "    lock.claim('dead-run'); os.kill(os.getpid(), signal.SIGKILL)\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert proc.returncode == -9
    with hold_home(tmp_path) as lock:
        assert lock.dead is not None and lock.dead.run_id == "dead-run"
        assert isinstance(lock.dead.pid, int) and lock.dead.pid != os.getpid()
