"""Whether a run has anything to do: the published build records a fingerprint of the archive it was
built from and of the code that built it; the same fingerprint now means nothing landed and nothing
changed, so the nightly run can stop after archiving (issue: nothing landed ≤ 15 s)."""
from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

from pilotdw import settings
from pilotdw.sources.archive import read_manifest

# The code whose change alters what a build computes: the catalogue (types, vocabularies), the
# settings, the rules (sources, dbt), the estimate (evaluation), the gates and the reports.
_CODE_GLOBS = ("catalogue/*.py", "catalogue/*.yml", "settings/*.py", "sources/*.py", "sources/*.sql", "dbt_project/dbt_project.yml", "dbt_project/models/**/*", "dbt_project/macros/**/*",
               "dbt_project/seeds/*", "evaluation/*.py", "expectations/*.py", "expectations/*.yml", "reports/**/*.py",
               "reports/templates/**/*")


def code_fingerprint() -> str:
    digest = hashlib.sha256(f"P0={settings.P0};P1={settings.P1}".encode())
    for pattern in _CODE_GLOBS:
        for path in sorted(settings.PROJECT_ROOT.glob(pattern)):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(path.relative_to(settings.PROJECT_ROOT).as_posix().encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def build_fingerprint(archive_dir: Path) -> str:
    """The archive's (path, content) pairs in manifest order, plus the code fingerprint."""
    digest = hashlib.sha256(code_fingerprint().encode())
    for entry in read_manifest(archive_dir):
        digest.update(f"{entry.path}\0{entry.content_hash}\n".encode())
    return digest.hexdigest()


def published_fingerprint(warehouse: Path) -> str | None:
    """The fingerprint the published warehouse was built with (None when there is none)."""
    if not warehouse.exists():
        return None
    try:
        with duckdb.connect(str(warehouse), read_only=True) as con:
            got = con.execute("SELECT fingerprint FROM audit.builds ORDER BY finished_at DESC LIMIT 1").fetchall()
    except duckdb.Error:
        return None
    return got[0][0] if got else None


def nothing_to_build(pilotdw) -> bool:
    """Whether a run of this home (HomeLayout) would build nothing new: not forced, every landed file
    already archived as it is (by size and modification time), and the archive and code are those
    the published build was made from. Cheap (no file is hashed) and without Dagster."""
    from pilotdw.orchestration.space import pending_bytes

    if pending_bytes(pilotdw.landing_path, pilotdw.archive_dir):
        return False
    return is_published(pilotdw, build_fingerprint(pilotdw.archive_dir))


def is_published(pilotdw, fingerprint: str) -> bool:
    """Whether the published build was made from this fingerprint (and the run is not forced)."""
    return not pilotdw.force and fingerprint == pilotdw.engine().published_fingerprint()
