"""Unified social credit codes (GB 32100-2015) and the locality they imply (data-contract.md,
"Identity and geography")."""
from __future__ import annotations


import numpy as np
import pandas as pd

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Cities under separate state planning: their four-digit prefix → locality code.
SEPARATE_PLAN_CITIES = {"2102": "210200", "3702": "370200", "3302": "330200", "3502": "350200", "4403": "440300"}
CORPS_CODE = "660000"  # never derived from a USCC: always explicit


def check_digit(first17: str) -> str:
    """The 18th character for the first 17 (raises KeyError on a character outside the alphabet)."""
    total = sum(_VALUE[c] * w for c, w in zip(first17, WEIGHTS))
    return ALPHABET[(31 - total % 31) % 31]


def uscc_problem(uscc: str | None) -> str | None:
    """Why a (normalised) USCC is invalid, in words for the user; None when it is valid."""
    if not uscc:
        return "expected an 18-character unified social credit code, found nothing"
    if len(uscc) != 18:
        return f"expected 18 characters (GB 32100-2015), found {len(uscc)}"
    bad = sorted({c for c in uscc if c not in _VALUE})
    if bad:
        return f"character(s) {''.join(bad)} not allowed in a USCC (GB 32100-2015 alphabet {ALPHABET})"
    if not uscc[2:8].isdigit():
        return "characters 3–8 must be the administrative-division code (6 digits)"
    expected = check_digit(uscc[:17])
    if uscc[17] != expected:
        return f"check digit is {uscc[17]}, GB 32100-2015 gives {expected}"
    return None


# Each alphabet character's value by code point (-1: not in the alphabet), for whole columns at once.
_VALUE_OF_CODEPOINT = np.full(128, -1, dtype=np.int64)
for _c, _v in _VALUE.items():
    _VALUE_OF_CODEPOINT[ord(_c)] = _v


def uscc_problems(values: pd.Series) -> pd.Series:
    """uscc_problem of every cell of a column (None where valid or empty): the check digit of every
    18-character code is computed at once with numpy; only the codes that fail it (a few) are
    described, one by one, by uscc_problem itself."""
    problems = pd.Series(None, index=values.index, dtype="object")
    present = values.notna().to_numpy(dtype=bool)
    if not present.any():
        return problems
    texts = values[present].astype("object").to_numpy()
    valid = np.zeros(len(texts), dtype=bool)
    sized = np.fromiter((len(t) == 18 for t in texts), dtype=bool, count=len(texts))
    if sized.any():
        points = np.array(texts[sized].tolist(), dtype="<U18").view(np.uint32).reshape(-1, 18)
        ascii_only = (points < 128).all(axis=1)
        digits = _VALUE_OF_CODEPOINT[np.where(points < 128, points, 0)]
        digits[~ascii_only] = -1
        in_alphabet = (digits >= 0).all(axis=1)
        division_digits = ((points[:, 2:8] >= ord("0")) & (points[:, 2:8] <= ord("9"))).all(axis=1)
        expected = (31 - (digits[:, :17] * np.array(WEIGHTS)).sum(axis=1) % 31) % 31
        valid[sized] = ascii_only & in_alphabet & division_digits & (digits[:, 17] == expected)
    described = [uscc_problem(t) for t in texts[~valid]]
    positions = np.flatnonzero(present)[~valid]
    problems.iloc[positions] = described
    return problems


def locality_from_division(division: str) -> str:
    """The programme locality of a six-digit administrative-division code (USCC characters 3–8)."""
    return SEPARATE_PLAN_CITIES.get(division[:4], division[:2] + "0000")
