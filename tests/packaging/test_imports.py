"""Every module imports the rooms by their installed name, `pilotdw.<room>`.

From a checkout the old top-level names (`import sources`) still resolve, because the repository root
is on sys.path while tests run; such a module would load a second copy of the room (a monkeypatch
then misses the real one) and break in an installed wheel, where only `pilotdw` exists."""
from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ROOMS = ("settings", "catalogue", "sources", "expectations", "evaluation", "reports", "orchestration", "demo")
OLD_STYLE = re.compile(rf"^\s*(?:from|import)\s+(?:{'|'.join(ROOMS)})(?:\.|\s|$)", re.M)


def test_no_module_imports_a_room_by_its_top_level_name():
    offenders = []
    for folder in (*ROOMS, "tests", "bench", "scripts"):
        for path in (ROOT / folder).rglob("*.py"):
            for m in OLD_STYLE.finditer(path.read_text(encoding="utf-8")):
                line = path.read_text(encoding="utf-8")[: m.start()].count("\n") + 1
                offenders.append(f"{path.relative_to(ROOT)}:{line}: {m.group(0).strip()}")
    assert not offenders, "import pilotdw.<room> instead:\n" + "\n".join(offenders)
