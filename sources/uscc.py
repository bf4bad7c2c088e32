"""Unified social credit codes (GB 32100-2015) and the locality they imply (data-contract.md,
"Identity and geography")."""
from __future__ import annotations

import unicodedata

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_VALUE = {c: i for i, c in enumerate(ALPHABET)}
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)

# Cities under separate state planning: their four-digit prefix → locality code.
SEPARATE_PLAN_CITIES = {"2102": "210200", "3702": "370200", "3302": "330200", "3502": "350200", "4403": "440300"}
CORPS_CODE = "660000"  # never derived from a USCC: always explicit


def normalise_uscc(text: str | None) -> str | None:
    """Upper-case, NFKC (full-width to half-width), without whitespace; None for blank."""
    if text is None:
        return None
    value = "".join(unicodedata.normalize("NFKC", str(text)).split()).upper()
    return value or None


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


def is_valid_uscc(uscc: str | None) -> bool:
    return uscc_problem(uscc) is None


def locality_from_uscc(uscc: str) -> str:
    """The programme locality implied by characters 3–8 (the registering authority's division code)."""
    division = uscc[2:8]
    return SEPARATE_PLAN_CITIES.get(division[:4], division[:2] + "0000")
