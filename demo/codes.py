"""Random streams, calendar helpers and unified social credit codes, all vectorised with numpy."""
from __future__ import annotations

import zlib

import numpy as np

from pilotdw.sources.uscc import ALPHABET, WEIGHTS

_VALUE_OF_ASCII = np.full(128, -1, np.int32)
for _i, _c in enumerate(ALPHABET):
    _VALUE_OF_ASCII[ord(_c)] = _i
_ALPHABET_ASCII = np.frombuffer(ALPHABET.encode("ascii"), np.uint8)
_WEIGHTS = np.array(WEIGHTS, np.int32)


def stream(seed: int, name: str) -> np.random.Generator:
    """An independent random stream per purpose, so changing one part leaves the others' bytes alone.
    (crc32, not hash(): Python's str hash is salted per process.)"""
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def day(year: int, month: int, dom: int) -> np.datetime64:
    return np.datetime64(f"{year:04d}-{month:02d}-{dom:02d}", "D")


def random_days(rng: np.random.Generator, start: np.datetime64, end: np.datetime64, n: int) -> np.ndarray:
    """n dates uniformly in [start, end]."""
    span = int((end - start).astype(int)) + 1
    return start + rng.integers(0, max(span, 1), n).astype("timedelta64[D]")


def _check_values(first17: np.ndarray) -> np.ndarray:
    values = _VALUE_OF_ASCII[first17]
    return (31 - (values @ _WEIGHTS) % 31) % 31


def usccs(rng: np.random.Generator, divisions: np.ndarray, registry: str = "91") -> np.ndarray:
    """Valid 18-character codes: registry (91 enterprise, 12 public institution), the division code,
    a nine-character organisation code (old 8 digits + check, or the post-2015 'MA…' form), the
    GB 32100-2015 check character."""
    divisions = np.asarray(divisions, dtype="U6")
    n = len(divisions)
    m = np.empty((n, 18), np.uint8)
    m[:, 0], m[:, 1] = ord(registry[0]), ord(registry[1])
    m[:, 2:8] = np.frombuffer(divisions.astype("S6").tobytes(), np.uint8).reshape(n, 6)
    old = rng.integers(ord("0"), ord("9") + 1, (n, 9), dtype=np.uint8)
    old[:, 8] = np.where(rng.random(n) < 0.09, ord("X"), old[:, 8])
    new = _ALPHABET_ASCII[rng.integers(0, 31, (n, 9), dtype=np.uint8)]
    new[:, 0], new[:, 1] = ord("M"), ord("A")
    new_style = rng.random(n) < (0.6 if registry == "91" else 0.0)
    m[:, 8:17] = np.where(new_style[:, None], new, old)
    m[:, 17] = _ALPHABET_ASCII[_check_values(m[:, :17])]
    return np.frombuffer(m.tobytes(), dtype="S18").astype("U18")


def broken_check_digit(codes: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """The same codes with a wrong 18th character (a typist's slip): invalid by construction."""
    codes = np.asarray(codes, dtype="U18")
    n = len(codes)
    m = np.frombuffer(codes.astype("S18").tobytes(), np.uint8).reshape(n, 18).copy()
    right = _VALUE_OF_ASCII[m[:, 17]]
    m[:, 17] = _ALPHABET_ASCII[(right + rng.integers(1, 31, n)) % 31]
    return np.frombuffer(m.tobytes(), dtype="S18").astype("U18")


def unique_usccs(rng: np.random.Generator, divisions: np.ndarray, registry: str,
                 taken: np.ndarray | None = None) -> np.ndarray:
    """usccs() redrawn until no code repeats, within the batch or against the codes in `taken`."""
    divisions = np.asarray(divisions, dtype="U6")
    codes = usccs(rng, divisions, registry)
    taken = np.asarray([] if taken is None else taken, dtype="U18")
    while True:
        _, first = np.unique(codes, return_index=True)
        dup = np.ones(len(codes), bool)
        dup[first] = False
        if len(taken):
            dup |= np.isin(codes, taken)
        if not dup.any():
            return codes
        codes[dup] = usccs(rng, divisions[dup], registry)
