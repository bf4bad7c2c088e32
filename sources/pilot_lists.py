"""Pilot batch lists: locality, year and batch from the file name, and which list of a
(locality, year, batch) is current when a locality resubmits it (data-contract.md, "pilots/")."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import PurePosixPath

from pilotdw.sources.geography import is_locality

_FILE_NAME = re.compile(r"^(?P<locality>\d{6})_(?P<year>\d{4})_b(?P<batch>\d+)(?:_.*)?$", re.IGNORECASE)


@dataclass(frozen=True)
class ListKey:
    locality_code: str
    year: int
    batch: int


def list_key_from_name(path: str) -> ListKey | None:
    """`310000_2023_b1_首批名单.tsv` → (310000, 2023, 1); None when the name does not follow
    `<locality_code>_<year>_b<batch>[_anything].<ext>` or names an unknown locality."""
    stem = unicodedata.normalize("NFKC", PurePosixPath(path).stem)
    m = _FILE_NAME.match(stem)
    if not m or not is_locality(m["locality"]):
        return None
    return ListKey(m["locality"], int(m["year"]), int(m["batch"]))


@dataclass(frozen=True)
class Submission:
    """One file's rows for one list key."""

    file_hash: str
    submitted_on: date | None  # latest submitted_on on the file's rows for that key
    file_mtime: datetime


def current_submission(candidates: list[Submission]) -> Submission:
    """The submission that stands: the later submitted_on when every candidate gives one (then the
    later file), otherwise the later file modification time."""
    if all(c.submitted_on is not None for c in candidates):
        return max(candidates, key=lambda c: (c.submitted_on, c.file_mtime, c.file_hash))
    return max(candidates, key=lambda c: (c.file_mtime, c.file_hash))
