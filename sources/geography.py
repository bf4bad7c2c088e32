"""Which of the 37 programme localities a code, a name or a USCC stands for (data-contract.md,
"Identity and geography")."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from pilotdw.settings import localities
from pilotdw.sources.uscc import CORPS_CODE, locality_from_division

_SUFFIXES = re.compile(r"(维吾尔自治区|壮族自治区|回族自治区|自治区|省|市)$")


@lru_cache(maxsize=1)
def _lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for loc in localities():
        table[loc.code] = loc.code
        table[loc.name] = loc.code
        table[_SUFFIXES.sub("", loc.name)] = loc.code
        table[loc.name_en.casefold()] = loc.code
    table["兵团"] = CORPS_CODE
    table["新疆兵团"] = CORPS_CODE
    table["内蒙古"] = table["内蒙古自治区"]
    return table


def locality_code(text: str | None) -> str | None:
    """The locality a cell names: its six-digit code (`310000`, also `310000.0` from a spreadsheet)
    or its Chinese or English name (`上海市`, `上海`, `Shanghai`, `兵团`). None when unknown."""
    if text is None:
        return None
    t = "".join(unicodedata.normalize("NFKC", str(text)).split())
    t = re.sub(r"^(\d{6})\.0+$", r"\1", t)
    return _lookup().get(t) or _lookup().get(t.casefold())


def is_locality(code: str | None) -> bool:
    return code is not None and code in _lookup() and _lookup()[code] == code


def division_locality(division: str) -> str | None:
    """The locality a valid USCC implies, from its division code (characters 3–8) alone, when it is
    one of the programme's; the Corps is never derived (its enterprises register with Xinjiang
    division codes and carry 660000 explicitly)."""
    code = locality_from_division(division)
    return code if code != CORPS_CODE and is_locality(code) else None


def explicit_disagrees(explicit: str, derived: str | None) -> bool:
    """Whether an explicit locality disagrees with the USCC's, which wins but is flagged. A Corps
    enterprise registered in Xinjiang (650000) does not disagree: that is how the Corps registers."""
    if derived is None or explicit == derived:
        return False
    return not (explicit == CORPS_CODE and derived == "650000")
