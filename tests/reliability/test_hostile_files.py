"""Hostile files land beside clean ones: each is rejected with its file, line and reason, the run
does not crash (exit 1: rejections block publication), and the summary says how to withdraw it."""
from __future__ import annotations

import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import pytest

from tests.e2e.crafted import build_clean_landing
from tests.reliability.conftest import ENV, pilotdw

pytestmark = pytest.mark.slow

MB = 1 << 20
BOMB_INFLATED = 64 * MB  # the sheet of the drill was 4 GB; the run here caps xlsx at 16 MB
BOMB_ENV = {"PILOTDW_XLSX_MAX_MB": "16"}


def write_bomb(path: Path, inflated: int = BOMB_INFLATED) -> Path:
    """An xlsx-shaped zip whose one sheet inflates ~1,000× to `inflated` bytes (XML whitespace)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    chunk = b" " * (4 * MB)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook><sheets><sheet name=\"名单\" sheetId=\"1\" r:id=\"rId1\"/></sheets></workbook>")
        with zf.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as fh:
            written = 0
            while written < inflated:
                fh.write(chunk)
                written += len(chunk)
    return path


def stray_quote_csv(path: Path) -> Path:
    """Line 3 opens a quote that line 5 closes: the three lines would read as one row."""
    lines = [
        "统一社会信用代码,数据年度,营业收入（万元）",
        "91310104MA00000011,2023,100",
        "91310104MA00000029,2023,\"200",
        "91310104MA00000037,2023,300",
        "91310104MA00000045,2023,400\"",
        "91310104MA00000053,2023,500",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hostile_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("hostile")
    land = build_clean_landing(root / "landing")
    (root / "landing" / "filings" / "one_line.csv").write_bytes(
        "统一社会信用代码,数据年度\n".encode() + b"9" * (50 * MB) + b"\n")
    write_bomb(root / "landing" / "registers" / "bomb.xlsx")
    stray_quote_csv(root / "landing" / "filings" / "stray_quote.csv")
    # valid UTF-8 but for one byte (line 3, the 5th character), and not GB18030 either
    (root / "landing" / "assessments" / "bad_bytes.csv").write_bytes(
        "统一社会信用代码,测评类型,测评日期,总分\n".encode()
        + "91310104MA00000011,初始测评,2023-09-15,60\n".encode()
        + b"9131\xff" + "0104MA00000029,初始测评,2023-09-15,61\n".encode())
    assert land.root.exists()
    proc = pilotdw("run", "--landing", str(root / "landing"), "--home", str(root / "home"), env=BOMB_ENV)
    return root, proc


def test_run_is_blocked_not_crashed(hostile_run):
    _, proc = hostile_run
    assert proc.returncode == 1, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Traceback" not in proc.stderr


def _rejection(proc, path: str) -> str:
    lines = proc.stdout.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith(f"- {path}:"))
    return lines[at] + "\n" + lines[at + 1]


def test_long_line_is_rejected_with_its_line(hostile_run):
    _, proc = hostile_run
    text = _rejection(proc, "filings/one_line.csv")
    assert "line 2 is 52,428,800 bytes long" in text


def test_xlsx_bomb_is_rejected_before_inflating(hostile_run):
    _, proc = hostile_run
    text = _rejection(proc, "registers/bomb.xlsx")
    assert "would inflate to 64 MB" in text and "nothing was inflated" in text


def test_stray_quote_names_its_lines(hostile_run):
    _, proc = hostile_run
    text = _rejection(proc, "filings/stray_quote.csv")
    assert "line 3: a quote" in text and "lines 3–5 (3 lines)" in text


def test_decode_error_names_line_and_column(hostile_run):
    _, proc = hostile_run
    text = _rejection(proc, "assessments/bad_bytes.csv")
    assert "line 3, column 5" in text and "ff" in text


@pytest.mark.parametrize("path", ["filings/one_line.csv", "registers/bomb.xlsx", "filings/stray_quote.csv", "assessments/bad_bytes.csv"])
def test_summary_says_how_to_withdraw(hostile_run, path):
    root, proc = hostile_run
    assert f"`pilotdw withdraw {path} --reason" in _rejection(proc, path)
    assert str(root / "home") in _rejection(proc, path)


def test_clean_files_still_loaded(hostile_run):
    import duckdb

    root, _ = hostile_run
    builds = sorted((root / "home" / "builds").glob("*.duckdb"))
    assert len(builds) == 1
    with duckdb.connect(str(builds[0]), read_only=True) as con:
        statuses = dict(con.execute("SELECT path, status FROM audit.loads").fetchall())
    assert statuses["filings/annual_2023_2024.csv"] == "loaded"
    assert {statuses[p] for p in ("filings/one_line.csv", "registers/bomb.xlsx", "filings/stray_quote.csv", "assessments/bad_bytes.csv")} == {"rejected"}


def test_withdrawn_hostile_files_let_the_run_go_on(hostile_run):
    """The remedy the summary names works: after withdrawing them, nothing is rejected."""
    root, _ = hostile_run
    for path in ("filings/one_line.csv", "registers/bomb.xlsx", "filings/stray_quote.csv", "assessments/bad_bytes.csv"):
        done = pilotdw("withdraw", path, "--reason", "hostile drill", "--home", str(root / "home"))
        assert done.returncode == 0, done.stderr
    from pilotdw.sources.archive import read_manifest
    from pilotdw.sources.load import file_statuses

    active, skipped = file_statuses(read_manifest(root / "home" / "archive"))
    assert not {a.path for a in active} & {"filings/one_line.csv", "registers/bomb.xlsx", "filings/stray_quote.csv", "assessments/bad_bytes.csv"}
    assert len(skipped) == 4


def test_bomb_is_refused_in_bounded_memory(tmp_path):
    """Refusing a bomb (default caps: under 256 MB, but ~1,000×) does not inflate it: the process's
    peak memory grows by far less than the sheet would take."""
    bomb = write_bomb(tmp_path / "bomb.xlsx", inflated=BOMB_INFLATED)
    script = textwrap.dedent(f"""
        import resource
        from pathlib import Path
        from pilotdw.sources.readers import Rejected, read_file
        import python_calamine  # imported before measuring: its code is not the sheet
        before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
        try:
            read_file("registers", Path({str(bomb)!r}), "registers/bomb.xlsx")
        except Rejected as exc:
            print("REJECTED", exc)
        print("GROWTH_KB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before)
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=ENV, timeout=300,
                          cwd=Path(__file__).resolve().parents[2])
    assert "REJECTED" in proc.stdout and "zip bomb" in proc.stdout, proc.stdout + proc.stderr
    growth_mb = int(proc.stdout.split("GROWTH_KB")[1]) / 1024
    assert growth_mb < BOMB_INFLATED / MB / 4, f"memory grew {growth_mb:.0f} MB while refusing a {BOMB_INFLATED // MB} MB sheet"


def test_ratio_cap_rejects_a_small_bomb(tmp_path):
    """Under the size cap, but inflating over 200×: refused from the zip's directory."""
    from pilotdw.sources.limits import check_xlsx
    from pilotdw.sources.readers import Rejected

    bomb = write_bomb(tmp_path / "small_bomb.xlsx", inflated=16 * MB)
    with pytest.raises(Rejected, match=r"would inflate \d[\d,]*×"):
        check_xlsx(bomb, "registers/small_bomb.xlsx")


def test_a_real_workbook_passes_the_caps(landing):
    from pilotdw.sources.readers import read_file

    path = landing.xlsx("registers/r.xlsx", {"名单": [["统一社会信用代码", "企业名称", "资质类型", "认定年度"], ["914403001922038216", "华为", "示范", 2020]]})
    assert read_file("registers", path, "registers/r.xlsx").tables


def test_quoted_cells_without_line_breaks_still_read(landing):
    from pilotdw.sources.readers import read_file

    path = landing.raw("filings/q.csv", "统一社会信用代码,数据年度,营业收入（万元）\n914403001922038216,2023,\"1,234\"\n\n91110000802100433B,2023,\"5,678\"\n".encode())
    table = read_file("filings", path, "filings/q.csv").tables[0]
    assert list(table.frame.index) == [2, 4]  # the blank line 3 counted, not lost
