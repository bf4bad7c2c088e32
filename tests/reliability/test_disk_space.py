"""A home on a small file system (a tmpfs, which needs root): the space check stops a build that
cannot fit with one line, and a disk that fills up during the build ends the run with exit 2, one
line naming the cause, a run summary and the partial build removed."""
from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.e2e.crafted import build_clean_landing
from tests.reliability.conftest import Started, pilotdw

pytestmark = pytest.mark.slow

MB = 1 << 20


@pytest.fixture
def small_fs(tmp_path):
    """A folder on a fresh tmpfs; size set by the test (`mount -o remount`)."""
    mount = tmp_path / "fs"
    mount.mkdir()
    made = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "tmpfs", str(mount)], capture_output=True, text=True)
    if made.returncode != 0:
        reason = f"cannot mount a tmpfs here ({made.stderr.strip() or 'mount failed'}): the disk-space drill needs root"
        print(reason)
        pytest.skip(reason)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], capture_output=True)


def test_space_check_stops_before_building(small_fs, tmp_path):
    build_clean_landing(tmp_path / "landing")
    home = small_fs / "home"
    got = pilotdw("run", "--landing", str(tmp_path / "landing"), "--home", str(home))
    assert got.returncode == 2, got.stdout + got.stderr
    lines = [l for l in got.stderr.splitlines() if "not enough disk space" in l]
    assert len(lines) == 1, got.stderr
    line = lines[0]
    assert "needed 96." in line and "free 4" in line and str(home) in line  # 64 MB first build + 32 MB headroom + files
    assert "Traceback" not in got.stderr
    assert not list((home / "builds").glob("*.duckdb")) if (home / "builds").exists() else True
    summaries = list((home / "runs").glob("*.md"))
    assert len(summaries) == 1 and "not enough disk space" in summaries[0].read_text(encoding="utf-8")


def fill(folder: Path) -> Path:
    """Write until the file system is full."""
    filler = folder / "filler"
    with filler.open("wb") as fh:
        try:
            while True:
                fh.write(b"\0" * MB)
                fh.flush()
        except OSError:
            pass
    return filler


def test_disk_full_during_the_build(small_fs, tmp_path):
    subprocess.run(["mount", "-o", "remount,size=200m", str(small_fs)], check=True)
    build_clean_landing(tmp_path / "landing")
    home = small_fs / "home"
    run = Started(tmp_path / "landing", home)
    run.wait_for("dbt: building")
    run_id = json.loads((home / ".lock").read_text(encoding="utf-8"))["run_id"]
    filler = fill(small_fs)
    code, out, err = run.finish()
    assert code == 2, out[-3000:] + err[-3000:]
    reasons = [l for l in out.splitlines() if l.startswith("Reason:")]
    assert reasons and reasons[0].startswith("Reason: out of disk space:") and str(home) in reasons[0], out
    assert "Traceback" not in out, out
    assert "Traceback" not in err, err[-6000:]
    assert not list((home / "builds").glob(f"{run_id}*")), "the partial build must be removed"
    assert "out of disk space" in (home / "runs" / f"{run_id}.md").read_text(encoding="utf-8")
    filler.unlink()
