"""Shared test helpers: a landing folder written the way localities write files."""
from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

os.environ.setdefault("DO_NOT_TRACK", "1")
os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

REAL_SHANGHAI = ROOT / "demo" / "real" / "shanghai_2023_batch1_pilots.tsv"
# Real, published unified social credit codes (Huawei, Tencent, Baidu): valid check digits.
REAL_USCCS = {"914403001922038216": "440300", "91440300708461136T": "440300", "91110000802100433B": "110000"}


class Landing:
    """A landing folder under tmp_path; files are written in the shape and encoding asked for."""

    def __init__(self, root: Path):
        self.root = root
        for source in ("registers", "pilots", "assessments", "filings"):
            (root / source).mkdir(parents=True, exist_ok=True)

    def text(self, rel: str, rows: list[list[object]], *, encoding: str = "utf-8", sep: str | None = None, mtime: float | None = None) -> Path:
        import csv
        import io

        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        delimiter = sep or ("\t" if rel.endswith(".tsv") else ",")
        csv.writer(buf, delimiter=delimiter, lineterminator="\n").writerows(rows)
        path.write_bytes(buf.getvalue().encode(encoding))
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def xlsx(self, rel: str, sheets: dict[str, list[list[object]]], *, mtime: float | None = None) -> Path:
        from openpyxl import Workbook

        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        wb = Workbook()
        wb.remove(wb.active)
        for name, rows in sheets.items():
            ws = wb.create_sheet(name)
            for row in rows:
                ws.append(row)
        wb.save(path)
        if mtime is not None:
            os.utime(path, (mtime, mtime))
        return path

    def raw(self, rel: str, data: bytes) -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        return path


@pytest.fixture
def landing(tmp_path: Path) -> Landing:
    return Landing(tmp_path / "landing")


def _worker_id(request) -> str:
    """pytest-xdist's worker id ('gw0', …), or 'master' without xdist (also under -p no:xdist)."""
    return getattr(request.config, "workerinput", {}).get("workerid", "master")


@pytest.fixture(scope="session")
def report_builds(request, tmp_path_factory):
    """The report landing through `pilotdw run` twice (tests/fixtures/real_builds.py): .current is the
    published warehouse, .previous the build before it. Built once per session for all workers."""
    from tests.fixtures.real_builds import build_once, make_report_builds

    return build_once(tmp_path_factory, _worker_id(request), "report_builds", make_report_builds)


@pytest.fixture(scope="session")
def clean_build(request, tmp_path_factory):
    """The clean landing through `pilotdw run` (every gate passes): .current is its build file.
    Built once per session for all workers; tests copy it before changing anything."""
    from tests.fixtures.real_builds import build_once, make_clean_build

    return build_once(tmp_path_factory, _worker_id(request), "clean_build", make_clean_build)
