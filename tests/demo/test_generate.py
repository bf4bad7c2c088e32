"""The demo generator writes what the data contract accepts, tells the planned story, and does it
reproducibly. Files are read back with pandas/openpyxl only (not the project's ingestion code),
and the contract's rules (header aliases, GB 32100-2015) are restated here from the spec."""
from __future__ import annotations

import io
import os
import re
import subprocess
import sys
import unicodedata
from collections import Counter
from pathlib import Path

import openpyxl
import pandas as pd
import pytest

from pilotdw.demo.generate import DEMO_ENTERPRISES, write_landing

SOURCES = ("registers", "pilots", "assessments", "filings")
PROJECT = Path(__file__).resolve().parents[2]
REAL_SHANGHAI = PROJECT / "demo" / "real" / "shanghai_2023_batch1_pilots.tsv"
SMALL = dict(enterprises=1_200, seed=7)

# data-contract.md: required columns and their Chinese aliases
REQUIRED = {
    "registers": {"uscc": ("统一社会信用代码", "信用代码"), "name": ("企业名称", "单位名称"),
                  "qualification": ("资质类型", "类型"), "recognized_year": ("认定年度", "认定年份")},
    "pilots": {"name": ("单位名称", "企业名称")},
    "assessments": {"uscc": ("统一社会信用代码",), "kind": ("测评类型", "评价类型"),
                    "assessed_on": ("测评日期", "评价日期"), "total_score": ("总分", "综合得分")},
    "filings": {"uscc": ("统一社会信用代码",), "year": ("数据年度", "填报年度")},
}
OTHER = {"locality_code": ("地区代码", "所属地区"), "year": ("年度", "试点年度"), "batch": ("批次",),
         "revenue": ("营业收入",), "ip_budget": ("知识产权经费投入", "知识产权经费"), "submitted_on": ("报送日期", "填报日期")}

# GB 32100-2015, as the contract states it
_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def uscc_ok(code: str) -> bool:
    if len(code) != 18 or any(c not in _ALPHABET for c in code) or not code[2:8].isdigit():
        return False
    total = sum(_ALPHABET.index(c) * w for c, w in zip(code[:17], _WEIGHTS))
    return code[17] == _ALPHABET[(31 - total % 31) % 31]


def header_key(text: str) -> str:
    text = unicodedata.normalize("NFKC", str(text)).strip().casefold()
    return re.sub(r"\s*\([^()]*\)$", "", text).strip()


def column_of(header: list, canonical: str, aliases: tuple[str, ...]) -> int | None:
    wanted = {canonical} | {header_key(a) for a in aliases}
    for i, h in enumerate(header):
        if h is not None and header_key(h) in wanted:
            return i
    return None


def decode(data: bytes) -> tuple[str, str]:
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8"), "utf-8-sig"
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError:
        return data.decode("gb18030"), "gb18030"


def read_tables(path: Path, source: str) -> list[tuple[str | None, list, list[list]]]:
    """(sheet, header, data rows) of every table in a file whose header names the source's
    required columns."""
    required = REQUIRED[source]
    if path.suffix == ".xlsx":
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
        out = []
        for ws in wb.worksheets:
            rows = [list(r) for r in ws.iter_rows(values_only=True)]
            for i, row in enumerate(rows[:3]):
                if all(column_of(row, c, a) is not None for c, a in required.items()):
                    body = [r for r in rows[i + 1:] if any(v not in (None, "") for v in r)]
                    out.append((ws.title, row, body))
                    break
        wb.close()
        return out
    text, _ = decode(path.read_bytes())
    frame = pd.read_csv(io.StringIO(text), sep="\t" if path.suffix == ".tsv" else ",", dtype=str,
                        keep_default_na=False, header=None)
    header = frame.iloc[0].tolist()
    if not all(column_of(header, c, a) is not None for c, a in required.items()):
        return []
    return [(None, header, frame.iloc[1:].values.tolist())]


def values(path: Path, source: str, canonical: str, aliases: tuple[str, ...]) -> list:
    out = []
    for _, header, rows in read_tables(path, source):
        i = column_of(header, canonical, aliases)
        if i is not None:
            out.extend(r[i] for r in rows)
    return out


def landing_files(root: Path) -> dict[str, tuple[bytes, int]]:
    return {str(p.relative_to(root)): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(root.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def demo(tmp_path_factory) -> tuple[Path, dict]:
    root = tmp_path_factory.mktemp("landing")
    return root, write_landing(root, **SMALL)


def test_demo_scale_constant_is_in_the_asked_range():
    assert 3_000 <= DEMO_ENTERPRISES <= 6_000


def test_same_seed_gives_identical_bytes_and_mtimes(tmp_path):
    """Another process, with another string-hash salt (set order!), writes the very same files."""
    write_landing(tmp_path / "here", enterprises=300, seed=7)
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    subprocess.run([sys.executable, "-m", "pilotdw.demo.generate", str(tmp_path / "there"), "--seed", "7",
                    "--enterprises", "300"], cwd=PROJECT, env=env, check=True, capture_output=True)
    here = landing_files(tmp_path / "here")
    assert len(here) > 100 and landing_files(tmp_path / "there") == here


def test_another_seed_gives_other_data(tmp_path):
    small = dict(enterprises=200, localities=["110000", "120000"])
    write_landing(tmp_path / "a", seed=1, **small)
    write_landing(tmp_path / "b", seed=2, **small)
    a, b = landing_files(tmp_path / "a"), landing_files(tmp_path / "b")
    assert a.keys() & b.keys()
    assert all(a[k][0] != b[k][0] for k in a.keys() & b.keys())


def test_every_landing_file_is_in_an_accepted_format(demo):
    root, summary = demo
    files = [p for p in root.rglob("*") if p.is_file()]
    assert {p.parent.name for p in files} == set(SOURCES)
    for p in files:
        assert p.suffix in (".csv", ".tsv", ".xlsx"), p
        source = p.parent.name
        tables = read_tables(p, source)
        assert tables, f"{p.name}: no table whose header names {list(REQUIRED[source])}"
        if source == "pilots":
            named = re.match(r"^\d{6}_\d{4}_b\d+(_.*)?\.(csv|tsv|xlsx)$", p.name)
            for _, header, _ in tables:
                in_columns = all(column_of(header, c, OTHER[c]) is not None for c in ("locality_code", "year", "batch"))
                assert named or in_columns, f"{p.name}: neither file name nor columns give locality/year/batch"
    assert summary["rejected_files"] == []


def test_all_three_encodings_and_four_containers_are_present(demo):
    root, summary = demo
    encodings = Counter()
    for p in root.rglob("*"):
        if p.suffix in (".csv", ".tsv"):
            text, enc = decode(p.read_bytes())
            if enc == "utf-8" and text.isascii():
                continue
            encodings[enc] += 1
    assert encodings["utf-8"] and encodings["utf-8-sig"] and encodings["gb18030"], encodings
    formats = Counter(d["format"] for d in summary["details"])
    assert formats["csv"] and formats["tsv"] and formats["xlsx"]


def test_shanghai_list_is_copied_byte_for_byte(demo):
    root, _ = demo
    assert (root / "pilots" / "310000_2023_b1_首批名单.tsv").read_bytes() == REAL_SHANGHAI.read_bytes()
    listed = [d for d in demo[1]["details"] if d["path"].startswith("pilots/310000_2023_b1")]
    assert len(listed) == 1  # no generated batch 1 for Shanghai 2023


def test_shanghai_enterprises_are_in_the_register(demo):
    """The real list's national-category companies are registered in 310000 (names compared with
    brackets unified), its hospitals and institutes are not."""
    root, _ = demo
    real = pd.read_csv(REAL_SHANGHAI, sep="\t", dtype=str)
    unify = lambda s: unicodedata.normalize("NFKC", s).replace(" ", "")  # noqa: E731
    registered = set()
    for p in (root / "registers").iterdir():
        registered |= {unify(str(n)) for n in values(p, "registers", "name", REQUIRED["registers"]["name"])}
    national = real[real["类型"].str.contains("国家|小巨人")]
    assert len(national) >= 100
    assert all(unify(n) in registered for n in national["单位名称"])
    for n in real["单位名称"]:
        if re.search("医院|研究所|大学", n) and not n.endswith("公司"):
            assert unify(n) not in registered


def test_register_codes_are_valid_except_the_deliberate_ones(demo):
    root, summary = demo
    codes, corps = [], []
    for p in (root / "registers").iterdir():
        for _, header, rows in read_tables(p, "registers"):
            u = column_of(header, "uscc", REQUIRED["registers"]["uscc"])
            loc = column_of(header, "locality_code", OTHER["locality_code"])
            for r in rows:
                code = unicodedata.normalize("NFKC", str(r[u])).strip().upper()
                codes.append(code)
                if loc is not None and str(r[loc]) == "660000":
                    corps.append(code)
    bad = [c for c in codes if not uscc_ok(c)]
    assert len(bad) == summary["bad_row_kinds"]["registers"]["bad_uscc"] > 0
    assert corps and all(c[2:4] == "65" for c in corps)  # the Corps: Xinjiang division codes, explicit 660000


def test_register_names_are_unique_but_for_the_planted_pairs(demo):
    root, summary = demo
    per_name: dict[str, set[str]] = {}
    for p in (root / "registers").iterdir():
        for _, header, rows in read_tables(p, "registers"):
            n = column_of(header, "name", REQUIRED["registers"]["name"])
            u = column_of(header, "uscc", REQUIRED["registers"]["uscc"])
            for r in rows:
                per_name.setdefault(str(r[n]).strip(), set()).add(str(r[u])[:17])  # typo rows share 17 chars
    shared = {name for name, codes in per_name.items() if len(codes) > 1}
    assert shared == set(summary["shared_register_names"]) and shared
    assert set(summary["ambiguous_names"]) <= shared and summary["ambiguous_names"]
    key = lambda t: re.sub(r"\s", "", unicodedata.normalize("NFKC", t))  # noqa: E731
    pilot_text = key("".join(decode(p.read_bytes())[0] for p in (root / "pilots").iterdir() if p.suffix != ".xlsx"))
    for name in summary["ambiguous_names"]:
        assert key(name) in pilot_text


def test_bad_rows_are_few_and_where_the_summary_says(demo):
    root, summary = demo
    for source in SOURCES:
        rows, bad = summary["rows"][source], summary["bad_rows"][source]
        assert 0 < bad < 0.01 * rows, (source, bad, rows)
        assert bad == sum(summary["bad_row_kinds"][source].values())
    over_100 = negative = 0
    for p in (root / "assessments").iterdir():
        for v in values(p, "assessments", "total_score", REQUIRED["assessments"]["total_score"]):
            over_100 += float(unicodedata.normalize("NFKC", str(v))) > 100
    for p in (root / "filings").iterdir():
        for col in ("revenue", "ip_budget"):
            for v in values(p, "filings", col, OTHER[col]):
                text = unicodedata.normalize("NFKC", str(v)).replace(",", "")
                negative += bool(re.fullmatch(r"-\d+(\.\d+)?", text))
    assert over_100 == summary["bad_row_kinds"]["assessments"]["score_out_of_range"]
    assert negative == summary["bad_row_kinds"]["filings"]["negative_indicator"]


def test_summary_counts_match_the_files(demo):
    root, summary = demo
    assert summary["enterprises"] == SMALL["enterprises"]
    on_disk = {s: sorted(p.name for p in (root / s).iterdir()) for s in SOURCES}
    assert {s: len(v) for s, v in on_disk.items()} == summary["files"]
    for d in summary["details"]:
        tables = read_tables(root / d["path"], d["source"])
        assert sum(len(rows) for _, _, rows in tables) == d["rows"], d["path"]
        if d["format"] == "xlsx":
            assert [t[0] for t in tables] == d["sheets"]
    for s in SOURCES:
        assert summary["rows"][s] == sum(d["rows"] for d in summary["details"] if d["source"] == s)


def test_workbooks_have_title_rows_and_an_irrelevant_sheet(demo):
    root, summary = demo
    books = [d for d in summary["details"] if d["format"] == "xlsx"]
    assert any(d["header_row"] == 2 for d in books)
    for d in books:
        wb = openpyxl.load_workbook(root / d["path"], read_only=True)
        assert len(wb.sheetnames) > len(d["sheets"]), d["path"]  # a notes sheet besides the data
        wb.close()


def test_cells_come_in_every_shape_the_contract_names(demo):
    root, _ = demo
    text = "\n".join(decode(p.read_bytes())[0] for s in SOURCES for p in (root / s).iterdir() if p.suffix != ".xlsx")
    for pattern in (r"\b20\d\d-\d\d-\d\d\b", r"\b20\d\d/\d{1,2}/\d{1,2}\b", r"\b20\d\d\.\d{1,2}\.\d{1,2}\b",
                    r"20\d\d年\d{1,2}月\d{1,2}日", r"20\d\d年", r'"\d{1,3}(,\d{3})+(\.\d+)?"', r"[０-９]",
                    r"\d+(\.\d+)?%", "无", "N/A", r"\(万元\)", "ＵＳＣＣ", "、", "；"):
        assert re.search(pattern, text), pattern
    cells = []
    for p in root.rglob("*.xlsx"):
        wb = openpyxl.load_workbook(p, read_only=True)
        for ws in wb.worksheets:
            cells.extend(c for row in ws.iter_rows(values_only=True) for c in row)
        wb.close()
    kinds = Counter(type(c).__name__ for c in cells)
    assert kinds["datetime"] and kinds["int"] and kinds["float"]
    assert any(isinstance(c, int) and 44_000 < c < 47_000 for c in cells)  # Excel serial dates
    assert {"三级", "项目级"} & set(cells) and ({"首批", "第一批"} & set(cells))
    assert any(isinstance(c, str) and c.endswith("（万元）") for c in cells)


def test_resubmitted_list_is_the_later_file(demo):
    root, summary = demo
    assert len(summary["resubmitted_lists"]) == 2
    for r in summary["resubmitted_lists"]:
        prefix = f"{r['locality_code']}_{r['year']}_b{r['batch']}_"
        files = sorted((root / "pilots").glob(prefix + "*"), key=lambda p: p.stat().st_mtime)
        assert len(files) == 2 and "更正" in files[-1].name
        if r["ordered_by"] == "submitted_on":
            dates = [set(values(f, "pilots", "submitted_on", OTHER["submitted_on"])) for f in files]
            assert all(len(d) == 1 for d in dates) and dates[0] != dates[1]


def test_storylines_show_in_the_lists(demo):
    root, summary = demo
    story = summary["storylines"]
    assert {"ahead", "on_target", "behind", "no_2025_list"} <= set(story.values())
    for code in summary["lists_without_2025"]:
        assert story[code] == "no_2025_list"
        assert not list((root / "pilots").glob(f"{code}_2025_*"))
    late = {tuple(x) for x in summary["late_lists"]}
    assert ("410000", 2023, 1) in late and ("520000", 2024, 1) in late


def test_plain_csv_format(tmp_path):
    summary = write_landing(tmp_path, enterprises=300, seed=3, formats="csv", localities=["310000", "320000", "660000"])
    for p in tmp_path.rglob("*"):
        if p.is_file() and p.name != "310000_2023_b1_首批名单.tsv":
            assert p.suffix == ".csv"
            head = p.read_bytes().split(b"\n", 1)[0]
            assert head.isascii(), p.name  # English headers, no BOM
    assert summary["files"]["pilots"] >= 5


def test_rejects_on_request(tmp_path):
    summary = write_landing(tmp_path, enterprises=300, seed=3, localities=["330000", "330200"], include_rejects=True)
    rejected = {r["path"] for r in summary["rejected_files"]}
    assert len(rejected) >= 3 and all((tmp_path / p).exists() for p in rejected)
    assert any(p.endswith(".pdf") for p in rejected)
    on_disk = sum(1 for p in tmp_path.rglob("*") if p.is_file())
    assert on_disk == sum(summary["files"].values()) + len(rejected)


def test_refuses_to_overwrite_unless_asked(demo, tmp_path):
    write_landing(tmp_path, enterprises=200, localities=["110000"])
    with pytest.raises(FileExistsError):
        write_landing(tmp_path, enterprises=200, localities=["110000"])
    write_landing(tmp_path, enterprises=200, localities=["110000"], overwrite=True)


@pytest.mark.slow
def test_benchmark_scale_25k_runs(tmp_path):
    summary = write_landing(tmp_path, enterprises=25_000, seed=1)
    assert summary["enterprises"] == 25_000
    assert summary["pilot_enterprises"] > 20_000
    assert summary["rows"]["filings"] > 3 * summary["pilot_enterprises"]
    assert summary["rows"]["assessments"] > 1.5 * summary["pilot_enterprises"]
