"""A small raw layer with a known truth, for running the real dbt project against.

Four localities carry data (Shanghai 310000, Zhejiang 330000, Ningbo 330200, Beijing 110000 with
registers but no lists); the other 33 have none. The cases the marts must get right are built in:
revocations on the year boundary (and one hidden behind a stale duplicate register row), a
register enterprise whose rows disagree on its locality, pilot rows resolved by name (same
locality, then any locality), unmatched and ambiguous names repeated across batches and years, a
resubmitted list whose earlier version is marked superseded_by, cross-locality pilots, repeat
pilots, one pilot written differently from row to row (full- and half-width brackets, stray spaces:
one name_key, several display names — unresolved, and with a USCC), same-day assessments of
different kinds, a same-day correction, and resubmitted filings.

Every pilot row states the truth it stands for (`who`: the enterprise, or None when nobody can be
resolved, and the `status` the row must get), so the expected figures in test_marts.py are computed
from intent, not by re-running the matching rules.
"""
from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass
from datetime import date, datetime

from pilotdw.sources.uscc import check_digit

P0, P1 = 2023, 2025
SH, ZJ, NB, BJ = "310000", "330000", "330200", "110000"
LOADED_AT = datetime(2026, 1, 5, 12, 0, 0)


def make_uscc(division: str, serial: int) -> str:
    first17 = "91" + division + f"{serial:09d}"
    return first17 + check_digit(first17)


def file_hash(path: str) -> str:
    return hashlib.sha256(path.encode()).hexdigest()


@dataclass(frozen=True)
class Enterprise:
    key: str
    uscc: str
    name: str
    locality: str  # the truth: the locality the enterprise belongs to


def _enterprise(key: str, division: str, serial: int, name: str, locality: str) -> Enterprise:
    return Enterprise(key, make_uscc(division, serial), name, locality)


ENTERPRISES = {
    e.key: e
    for e in [
        _enterprise("S1", "310115", 1, "上海甲科技有限公司", SH),
        _enterprise("S2", "310115", 2, "上海乙科技有限公司", SH),
        _enterprise("S3", "310115", 3, "上海丙科技有限公司", SH),
        _enterprise("S4", "310115", 4, "上海丁科技有限公司", SH),
        _enterprise("S5", "310115", 5, "上海戊科技有限公司", SH),
        _enterprise("S6", "310115", 6, "上海己科技有限公司", SH),
        _enterprise("S7", "310115", 7, "上海庚科技有限公司", SH),
        _enterprise("S8", "310115", 8, "上海辛科技有限公司", SH),
        _enterprise("S9", "310115", 9, "上海壬科技有限公司", SH),
        _enterprise("S10", "310115", 10, "上海癸科技有限公司", SH),
        _enterprise("S11", "310115", 11, "上海同名科技有限公司", SH),
        _enterprise("S12", "310104", 12, "上海同名科技有限公司", SH),
        _enterprise("S13", "310115", 13, "上海子科技有限公司", SH),
        _enterprise("S14", "310115", 14, "上海丑科技有限公司", SH),
        _enterprise("S15", "310115", 15, "上海寅科技有限公司", SH),
        _enterprise("Z1", "330106", 1, "浙江甲科技有限公司", ZJ),
        _enterprise("Z2", "330106", 2, "浙江乙科技有限公司", ZJ),
        _enterprise("Z3", "330106", 3, "浙江丙科技有限公司", ZJ),
        _enterprise("Z4", "330106", 4, "浙江丁科技有限公司", ZJ),
        # registered in Hangzhou first, recognised again in 2022 as a Ningbo enterprise: Ningbo wins
        _enterprise("Z5", "330106", 5, "浙江戊科技有限公司", NB),
        _enterprise("Z6", "330106", 6, "浙江己科技有限公司", ZJ),
        _enterprise("N1", "330203", 1, "宁波跨区科技有限公司", NB),
        _enterprise("N2", "330203", 2, "宁波乙科技有限公司", NB),
        _enterprise("N3", "330203", 3, "宁波丙科技有限公司", NB),
        _enterprise("N4", "330203", 4, "宁波丁科技有限公司", NB),
        _enterprise("B1", "110108", 1, "北京甲科技有限公司", BJ),
        _enterprise("B2", "110108", 2, "北京乙科技有限公司", BJ),
        _enterprise("B3", "110108", 3, "北京丙科技有限公司", BJ),
    ]
}

# (enterprise, qualification, recognized_year, revoked_year, register locality, file)
REGISTER_ROWS = [
    ("S1", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S1", "ip_advantage", 2020, None, SH, "registers/ip_advantage_reissue.csv"),  # duplicate row
    ("S2", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S3", "little_giant", 2021, None, SH, "registers/little_giant.csv"),
    ("S4", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S5", "ip_demonstration", 2022, None, SH, "registers/ip_demonstration.csv"),
    ("S6", "ip_advantage", 2021, None, SH, "registers/ip_advantage_2021.csv"),
    ("S7", "ip_advantage", 2019, 2024, SH, "registers/ip_advantage_2019.csv"),  # held 2023 only
    ("S8", "ip_advantage", 2024, None, SH, "registers/ip_advantage_2024.csv"),  # held from 2024
    ("S9", "little_giant", 2021, None, SH, "registers/little_giant.csv"),
    ("S9", "ip_demonstration", 2022, None, SH, "registers/ip_demonstration.csv"),
    ("S10", "ip_advantage", 2019, 2023, SH, "registers/ip_advantage_2019.csv"),  # never held in 2023+
    ("S11", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S12", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S13", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S14", "little_giant", 2022, None, SH, "registers/little_giant.csv"),
    # a stale row without the revocation must not mask it: held 2023-2024, not 2025
    ("S15", "ip_advantage", 2020, None, SH, "registers/ip_advantage_2020.csv"),
    ("S15", "ip_advantage", 2020, 2025, SH, "registers/revocations_2025.csv"),
    ("Z1", "ip_advantage", 2020, None, ZJ, "registers/ip_advantage_2020.csv"),
    ("Z2", "ip_advantage", 2020, None, ZJ, "registers/ip_advantage_2020.csv"),
    ("Z3", "little_giant", 2022, None, ZJ, "registers/little_giant.csv"),
    ("Z4", "ip_advantage", 2020, 2025, ZJ, "registers/ip_advantage_2020.csv"),
    ("Z5", "ip_advantage", 2019, None, ZJ, "registers/ip_advantage_2019.csv"),
    ("Z5", "little_giant", 2022, None, NB, "registers/little_giant.csv"),
    ("Z6", "little_giant", 2023, None, ZJ, "registers/little_giant.csv"),
    ("N1", "ip_advantage", 2021, None, NB, "registers/ip_advantage_2021.csv"),
    ("N2", "ip_advantage", 2020, None, NB, "registers/ip_advantage_2020.csv"),
    ("N3", "ip_advantage", 2021, None, NB, "registers/ip_advantage_2021.csv"),
    ("N4", "ip_advantage", 2020, None, NB, "registers/ip_advantage_2020.csv"),
    ("B1", "ip_advantage", 2020, None, BJ, "registers/ip_advantage_2020.csv"),
    ("B2", "ip_advantage", 2020, None, BJ, "registers/ip_advantage_2020.csv"),
    ("B3", "little_giant", 2021, None, BJ, "registers/little_giant.csv"),
]

HOSPITAL = "上海市第九人民医院"
INSTITUTE = "上海某研究所"
SAME_NAME = "上海同名科技有限公司"
# One unregistered lab as three lists type it: full-width brackets (2023), half-width brackets and,
# again in the same 2024 list, with stray spaces. One normalised name, so one pilot of Zhejiang.
LAB_2023 = "浙江精测检测技术（杭州）研究院"
LAB_2024 = "浙江精测检测技术(杭州)研究院"
LAB_2024_SPACED = "浙江精测检测技术 (杭州) 研究院"


@dataclass(frozen=True)
class PilotList:
    path: str
    locality: str
    year: int
    batch: int
    submitted_on: date | None
    mtime: datetime
    # (name, uscc given?, who (enterprise key or None), expected match_status)
    rows: tuple[tuple[str, bool, str | None, str], ...]
    superseded_by: str | None = None  # path of the replacing file


def _given(key: str) -> tuple[str, bool, str, str]:
    return (ENTERPRISES[key].name, True, key, "given")


def _given_as(key: str, written: str) -> tuple[str, bool, str, str]:
    """A row with the enterprise's USCC under a name written differently from the register's."""
    return (written, True, key, "given")


def _by_name(key: str) -> tuple[str, bool, str, str]:
    return (ENTERPRISES[key].name, False, key, "matched")


def _nobody(name: str, status: str) -> tuple[str, bool, None, str]:
    return (name, False, None, status)


PILOT_LISTS = [
    PilotList(
        "pilots/310000_2023_b1_首批名单.tsv", SH, 2023, 1, date(2023, 6, 1), datetime(2023, 6, 2),
        (_given("S1"), _given("S2"), _given("S3"), _given("S4")),
        superseded_by="pilots/310000_2023_b1_首批名单_更正.tsv",
    ),
    PilotList(
        "pilots/310000_2023_b1_首批名单_更正.tsv", SH, 2023, 1, date(2023, 6, 20), datetime(2023, 6, 21),
        (
            _given("S1"), _by_name("S2"), _given("S3"), _given("S7"),
            _nobody(HOSPITAL, "unmatched"), _nobody(SAME_NAME, "ambiguous"), _given("S10"),
        ),
    ),
    PilotList(
        "pilots/310000_2023_b2.tsv", SH, 2023, 2, date(2023, 9, 1), datetime(2023, 9, 2),
        (_given("S5"), _given("S1"), _nobody(HOSPITAL, "unmatched")),
    ),
    PilotList(
        "pilots/310000_2024_b1.tsv", SH, 2024, 1, date(2024, 3, 15), datetime(2024, 3, 16),
        (
            _given("S1"), _given("S6"), _given("S7"), _by_name("S8"),
            _nobody(HOSPITAL, "unmatched"), _given("Z2"), _given("S15"),
        ),
    ),
    PilotList(
        "pilots/310000_2025_b1.tsv", SH, 2025, 1, None, datetime(2025, 4, 1),
        (_given("S9"), _nobody(INSTITUTE, "unmatched"), _given("S13"), _by_name("S14")),
    ),
    PilotList(
        "pilots/330000_2023_b1.tsv", ZJ, 2023, 1, date(2023, 5, 30), datetime(2023, 5, 31),
        (_given("Z1"), _by_name("Z2"), _by_name("N1"), _given("Z5"), _nobody(LAB_2023, "unmatched")),
    ),
    PilotList(
        "pilots/330000_2024_b1.tsv", ZJ, 2024, 1, date(2024, 4, 1), datetime(2024, 4, 2),
        (
            _given("Z3"), _given("Z4"), _given_as("Z1", "浙江甲科技 有限公司"),
            _nobody(LAB_2024, "unmatched"), _nobody(LAB_2024_SPACED, "unmatched"),
        ),
    ),
    PilotList(
        "pilots/330200_2024_b1.tsv", NB, 2024, 1, date(2024, 3, 20), datetime(2024, 3, 21),
        (_given("N2"), _given("N3"), _given("N1")),
    ),
    PilotList(
        "pilots/330200_2025_b1.tsv", NB, 2025, 1, date(2025, 3, 10), datetime(2025, 3, 11),
        (_by_name("N4"), _given("N2")),
    ),
]

# (enterprise, kind, date, total, grade, file, file mtime, superseded?)
A_2023 = ("assessments/initial_2023.csv", datetime(2024, 1, 10))
A_2023_FIX = ("assessments/initial_2023_corrections.csv", datetime(2024, 2, 1))
A_2024 = ("assessments/assessments_2024.csv", datetime(2025, 1, 10))
A_2025 = ("assessments/assessments_2025.csv", datetime(2026, 1, 2))
ASSESSMENTS = [
    ("S1", "initial", date(2023, 8, 1), 60.0, None, *A_2023, False),
    ("S1", "annual", date(2024, 6, 1), 99.0, None, *A_2024, True),  # replaced version of the file
    ("S1", "annual", date(2024, 6, 1), 70.0, None, *A_2024, False),
    ("S1", "graded", date(2024, 6, 1), 75.0, 3, *A_2024, False),  # same day: graded is the latest
    ("S2", "initial", date(2023, 9, 1), 55.0, None, *A_2023, False),
    ("S2", "annual", date(2023, 9, 1), 50.0, None, *A_2023, False),  # same day: annual after initial
    ("S2", "graded", date(2025, 5, 1), 80.0, 4, *A_2025, False),
    ("S3", "initial", date(2024, 1, 10), 65.0, None, *A_2024, False),
    ("S5", "initial", date(2023, 12, 31), 40.0, None, *A_2023, False),
    ("S5", "annual", date(2025, 1, 1), 45.0, None, *A_2025, False),
    ("S7", "initial", date(2023, 7, 1), 50.0, None, *A_2023, False),
    ("S7", "annual", date(2024, 7, 1), 58.0, None, *A_2024, False),
    ("Z1", "initial", date(2023, 5, 1), 50.0, None, *A_2023, False),
    ("Z1", "initial", date(2023, 5, 1), 52.0, None, *A_2023_FIX, False),  # same-day correction
    ("Z1", "annual", date(2024, 5, 1), 56.0, None, *A_2024, False),
    ("Z2", "initial", date(2023, 7, 1), 70.0, None, *A_2023, False),
    ("Z2", "graded", date(2025, 3, 1), 68.0, 2, *A_2025, False),
    ("Z5", "initial", date(2023, 9, 9), 44.0, None, *A_2023, False),
    ("N1", "initial", date(2023, 10, 1), 30.0, None, *A_2023, False),
    ("N1", "annual", date(2024, 10, 1), 45.0, None, *A_2024, False),
    ("N2", "initial", date(2024, 6, 1), 62.0, None, *A_2024, False),
    ("N2", "graded", date(2025, 6, 1), 71.0, 3, *A_2025, False),
    ("S4", "initial", date(2023, 5, 5), 30.0, None, *A_2023, False),  # not a current pilot
]

# (enterprise, data year, submitted_on, hvp, revenue, file, mtime, superseded?)
F = "filings/"
FILINGS = [
    ("S1", 2022, date(2023, 3, 1), 10.0, 900.0, F + "2022.csv", datetime(2023, 3, 2), False),
    ("S1", 2023, date(2024, 3, 1), 11.0, 950.0, F + "2023_a.csv", datetime(2024, 3, 2), False),
    ("S1", 2023, date(2024, 4, 1), 12.0, 1000.0, F + "2023_b.csv", datetime(2024, 4, 2), False),
    ("S1", 2024, date(2025, 3, 1), 99.0, 5000.0, F + "2024.csv", datetime(2025, 3, 2), True),
    ("S1", 2024, date(2025, 3, 1), 15.0, 1100.0, F + "2024.csv", datetime(2025, 3, 2), False),
    ("S2", 2023, date(2024, 3, 1), 0.0, 500.0, F + "2023_a.csv", datetime(2024, 3, 2), False),
    ("S2", 2024, date(2025, 3, 1), 5.0, 550.0, F + "2024.csv", datetime(2025, 3, 2), False),
    ("S3", 2023, date(2024, 3, 1), 4.0, None, F + "2023_a.csv", datetime(2024, 3, 2), False),
    ("S3", 2025, date(2026, 3, 1), 6.0, None, F + "2025.csv", datetime(2026, 3, 2), False),
    ("S5", 2023, date(2024, 3, 1), None, 300.0, F + "2023_a.csv", datetime(2024, 3, 2), False),
    ("S5", 2024, date(2025, 3, 1), 2.0, 330.0, F + "2024.csv", datetime(2025, 3, 2), False),
    ("S7", 2023, date(2024, 3, 1), 3.0, None, F + "2023_a.csv", datetime(2024, 3, 2), False),
    # an undated resubmission from a later file loses to the dated one
    ("S7", 2024, date(2025, 2, 1), 3.0, None, F + "2024.csv", datetime(2025, 3, 2), False),
    ("S7", 2024, None, 4.0, None, F + "2024_late.csv", datetime(2025, 6, 1), False),
    ("Z1", 2023, date(2024, 3, 1), 8.0, None, F + "2023_a.csv", datetime(2024, 3, 2), False),
    # same submitted_on: the later file wins
    ("Z1", 2024, date(2025, 3, 1), 9.0, None, F + "2024.csv", datetime(2025, 3, 2), False),
    ("Z1", 2024, date(2025, 3, 1), 10.0, None, F + "2024_zj.csv", datetime(2025, 3, 9), False),
    ("Z2", 2024, date(2025, 3, 1), 20.0, None, F + "2024.csv", datetime(2025, 3, 2), False),
    ("N1", 2023, date(2024, 3, 1), 5.0, None, F + "2023_a.csv", datetime(2024, 3, 2), False),
    ("N1", 2024, date(2025, 3, 1), 6.0, None, F + "2024.csv", datetime(2025, 3, 2), False),
    ("N1", 2025, date(2026, 3, 1), 9.0, None, F + "2025.csv", datetime(2026, 3, 2), False),
    ("N2", 2024, date(2025, 3, 1), 1.0, None, F + "2024.csv", datetime(2025, 3, 2), False),
    ("N2", 2025, date(2026, 3, 1), 2.0, None, F + "2025.csv", datetime(2026, 3, 2), False),
]


def name_key(name: str) -> str:
    """data-contract.md: NFKC (full-width brackets become half-width), all whitespace dropped. The
    fixture's names use no other bracket forms, so nothing more is needed."""
    return "".join(unicodedata.normalize("NFKC", name).split())


def insert_fixture(con) -> None:
    """Insert the fixture into the raw tables of an open DuckDB connection (schema already created)."""
    rows = []
    for n, (key, qual, recognized, revoked, locality, path) in enumerate(REGISTER_ROWS, start=2):
        e = ENTERPRISES[key]
        derived = e.uscc[2:8][:2] + "0000" if e.uscc[2:6] != "3302" else "330200"
        rows.append((
            e.uscc, e.name, name_key(e.name), qual, recognized, revoked, locality, derived,
            locality != derived, path, file_hash(path), None, n, datetime(2025, 12, 1), LOADED_AT, None,
        ))
    con.executemany(
        "insert into raw.registers (uscc, name, name_key, qualification, recognized_year, revoked_year,"
        " locality_code, locality_code_derived, locality_flag, source_file, file_hash, sheet, row_number,"
        " file_mtime, loaded_at, superseded_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )

    rows = []
    for plist in PILOT_LISTS:
        superseded = file_hash(plist.superseded_by) if plist.superseded_by else None
        for n, (name, uscc_given, who, _status) in enumerate(plist.rows, start=2):
            uscc = ENTERPRISES[who].uscc if uscc_given else None
            rows.append((
                name, name_key(name), uscc, n - 1, ["企业"], None, plist.locality, plist.year, plist.batch,
                plist.submitted_on, plist.path, file_hash(plist.path), None, n, plist.mtime, LOADED_AT,
                superseded,
            ))
    con.executemany(
        "insert into raw.pilots (name, name_key, uscc, seq, category, district, locality_code, year, batch,"
        " submitted_on, source_file, file_hash, sheet, row_number, file_mtime, loaded_at, superseded_by)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )

    rows = []
    for n, (key, kind, on, total, grade, path, mtime, superseded) in enumerate(ASSESSMENTS, start=2):
        module = total  # module scores follow the total in this fixture
        rows.append((
            ENTERPRISES[key].uscc, kind, on, total, module, module, module, module, grade, "评价机构",
            path, file_hash(path), None, n, mtime, LOADED_AT, file_hash(path + "#v2") if superseded else None,
        ))
    con.executemany(
        "insert into raw.assessments (uscc, kind, assessed_on, total_score, foundation_score, strategy_score,"
        " process_score, results_score, grade, evaluator, source_file, file_hash, sheet, row_number,"
        " file_mtime, loaded_at, superseded_by) values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )

    rows = []
    for n, (key, year, submitted, hvp, revenue, path, mtime, superseded) in enumerate(FILINGS, start=2):
        rows.append((
            ENTERPRISES[key].uscc, year, submitted, hvp, revenue, path, file_hash(path), None, n, mtime,
            LOADED_AT, file_hash(path + "#v2") if superseded else None,
        ))
    con.executemany(
        "insert into raw.filings (uscc, year, submitted_on, high_value_invention_patents, revenue,"
        " source_file, file_hash, sheet, row_number, file_mtime, loaded_at, superseded_by)"
        " values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        rows,
    )
