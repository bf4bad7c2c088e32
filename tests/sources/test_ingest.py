"""Ingestion against data-contract.md: every rule exercised through real files on disk, loaded into a
real DuckDB by the real archive and loader."""
from __future__ import annotations

import json
import os
from pathlib import Path

import duckdb
import pytest

from pilotdw.sources.archive import archive_landing, read_manifest, stored_path
from pilotdw.sources.load import ingest
from pilotdw.sources.uscc import check_digit
from tests.conftest import REAL_SHANGHAI, REAL_USCCS, Landing

HUAWEI, TENCENT, BAIDU = REAL_USCCS


def make_uscc(division: str, body: str = "MA1234567") -> str:
    first17 = ("91" + division + body)[:17]
    return first17 + check_digit(first17)


def load(landing: Landing, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    archive = tmp_path / "home" / "archive"
    archive_landing(landing.root, archive)
    con = duckdb.connect()
    ingest(con, archive)
    return con


def rows(con, sql: str) -> list[tuple]:
    return con.execute(sql).fetchall()


REGISTER_HEADER = ["统一社会信用代码", "企业名称", "资质类型", "认定年度"]


# ---------------------------------------------------------------- encodings and formats

@pytest.mark.parametrize("encoding,expected", [("utf-8", "utf-8"), ("utf-8-sig", "utf-8-sig"), ("gb18030", "gb18030")])
def test_csv_encodings_are_detected(landing, tmp_path, encoding, expected):
    landing.text("registers/reg.csv", [REGISTER_HEADER, [HUAWEI, "华为技术有限公司", "国家知识产权示范企业", "2015年"]], encoding=encoding)
    con = load(landing, tmp_path)
    assert rows(con, "SELECT encoding, status, rows_loaded FROM audit.loads") == [(expected, "loaded", 1)]
    assert rows(con, "SELECT name, qualification, recognized_year FROM raw.registers") == [("华为技术有限公司", "ip_demonstration", 2015)]


def test_bytes_in_no_accepted_encoding_are_rejected(landing, tmp_path):
    landing.raw("registers/broken.csv", "统一社会信用代码,企业名称\n".encode("utf-16"))
    con = load(landing, tmp_path)
    status, reason = rows(con, "SELECT status, reason FROM audit.loads")[0]
    assert status == "rejected"
    assert "UTF-8" in reason and "GB18030" in reason


def test_tsv_and_unsupported_extension(landing, tmp_path):
    landing.text("registers/reg.tsv", [REGISTER_HEADER, [TENCENT, "深圳市腾讯计算机系统有限公司", "优势企业", "2019"]])
    landing.raw("registers/scan.pdf", b"%PDF-1.4 not a table")
    con = load(landing, tmp_path)
    got = dict(rows(con, "SELECT path, status FROM audit.loads"))
    assert got == {"registers/reg.tsv": "loaded", "registers/scan.pdf": "rejected"}
    reason = rows(con, "SELECT reason FROM audit.loads WHERE path = 'registers/scan.pdf'")[0][0]
    assert "registers/scan.pdf" in reason and ".csv, .tsv or .xlsx" in reason


def test_xlsx_every_matching_sheet_with_title_rows_and_excel_row_numbers(landing, tmp_path):
    import datetime as dt

    header = ["统一社会信用代码", "测评类型", "测评日期", "总分", "等级"]
    landing.xlsx(
        "assessments/scores.xlsx",
        {
            "说明": [["本表由评价机构填报"], ["不是数据"]],
            "初始测评": [["附件2 初始测评结果"], [], header, [HUAWEI, "初始测评", dt.date(2023, 9, 1), 61.5, None]],
            "分级评价": [header, [TENCENT, "分级评价", 45200, 88, "四级"], [BAIDU, "分级评价", "2024年3月5日", 90, "生态级"]],
        },
    )
    con = load(landing, tmp_path)
    assert rows(con, "SELECT format, status, sheets FROM audit.loads") == [("xlsx", "loaded", ["初始测评", "分级评价"])]
    got = rows(con, "SELECT sheet, row_number, uscc, kind, assessed_on::VARCHAR, total_score, grade FROM raw.assessments ORDER BY sheet, row_number")
    assert got == [
        ("分级评价", 2, TENCENT, "graded", "2023-10-01", 88.0, 4),
        ("分级评价", 3, BAIDU, "graded", "2024-03-05", 90.0, 5),
        ("初始测评", 4, HUAWEI, "initial", "2023-09-01", 61.5, None),
    ]


def test_xlsx_without_any_matching_sheet_is_rejected(landing, tmp_path):
    landing.xlsx("filings/f.xlsx", {"Sheet1": [["名称", "金额"], ["x", 1]]})
    con = load(landing, tmp_path)
    status, reason = rows(con, "SELECT status, reason FROM audit.loads")[0]
    assert status == "rejected"
    assert "no sheet has a matching header" in reason and "uscc (统一社会信用代码" in reason


# ---------------------------------------------------------------- headers

def test_header_aliases_full_width_case_whitespace_and_units(landing, tmp_path):
    header = ["ＵＳＣＣ", " 数据年度 ", "营业收入（万元）", "研发费用(万元)", "PCT申请量【件】", "Ip_Staff", "备注"]
    landing.text("filings/f.csv", [header, [HUAWEI, "2024年", "1,234.5", "１２３", "3", "7", "自行填报"]])
    con = load(landing, tmp_path)
    got = rows(con, "SELECT uscc, year, revenue, rd_expense, pct_applications, ip_staff, extra FROM raw.filings")
    assert got[0][:6] == (HUAWEI, 2024, 1234.5, 123.0, 3.0, 7.0)
    assert json.loads(got[0][6]) == {"备注": "自行填报"}  # extra columns are kept in the raw layer


def test_header_lacking_a_required_column_is_rejected_naming_it(landing, tmp_path):
    landing.text("registers/reg.csv", [["统一社会信用代码", "企业名称", "认定年度"], [HUAWEI, "华为", "2015"]])
    con = load(landing, tmp_path)
    status, reason = rows(con, "SELECT status, reason FROM audit.loads")[0]
    assert status == "rejected"
    assert "qualification (资质类型 / 类型)" in reason and "row 1" in reason


# ---------------------------------------------------------------- cell normalisation

def test_numbers_not_reported_tokens_are_null_never_zero(landing, tmp_path):
    header = ["统一社会信用代码", "数据年度", "营业收入", "研发投入", "发明专利申请量", "商标注册量", "知识产权经费", "知识产权质押融资额", "专利产品销售收入"]
    landing.text("filings/f.csv", [header, [HUAWEI, "2023", "1 234", "无", "-", "—", "/", "N/A", ""]])
    con = load(landing, tmp_path)
    got = rows(con, "SELECT revenue, rd_expense, invention_applications, trademark_registrations, ip_budget, ip_pledge_financing, patent_product_revenue FROM raw.filings")
    assert got == [(1234.0, None, None, None, None, None, None)]


@pytest.mark.parametrize("text", ["2023-07-26", "2023/7/26", "2023.7.26", "2023年7月26日", "45133", "２０２３－０７－２６"])
def test_the_five_date_shapes(landing, tmp_path, text):
    landing.text("assessments/a.csv", [["统一社会信用代码", "测评类型", "测评日期", "总分"], [HUAWEI, "initial", text, "70"]])
    con = load(landing, tmp_path)
    assert rows(con, "SELECT assessed_on::VARCHAR FROM raw.assessments") == [("2023-07-26",)]


def test_bad_rows_are_quarantined_with_file_row_column_and_expectation(landing, tmp_path):
    header = ["统一社会信用代码", "测评类型", "测评日期", "总分", "成效"]
    bad_check = HUAWEI[:-1] + ("0" if HUAWEI[-1] != "0" else "1")
    landing.text(
        "assessments/a.csv",
        [
            header,
            [HUAWEI, "初始测评", "2023-02-30", "70", ""],  # impossible date
            [TENCENT, "年度测评", "2024-01-05", "105", ""],  # score over 100
            [bad_check, "initial", "2023-05-05", "60", ""],  # check digit
            [BAIDU, "体检", "2023-05-05", "60", ""],  # unknown kind
            [BAIDU, "graded", "2023-05-05", "80", "-3"],  # module score below 0
            [BAIDU, "initial", "2023-06-01", "66", "50"],  # fine
        ],
    )
    con = load(landing, tmp_path)
    assert rows(con, "SELECT rows_read, rows_loaded, rows_quarantined FROM audit.loads") == [(6, 1, 5)]
    got = rows(con, 'SELECT row_number, "column", value, locality_code FROM audit.quarantine ORDER BY row_number')
    assert got == [(2, "assessed_on", "2023-02-30", "440300"), (3, "total_score", "105", "440300"), (4, "uscc", bad_check, None),
                   (5, "kind", "体检", "110000"), (6, "results_score", "-3", "110000")]
    reasons = dict(rows(con, "SELECT row_number, reason FROM audit.quarantine"))
    assert "expected a date" in reasons[2]
    assert "0 to 100" in reasons[3]
    assert "check digit" in reasons[4]
    assert "initial (初始测评)" in reasons[5]
    raw_row = json.loads(rows(con, "SELECT raw_row FROM audit.quarantine WHERE row_number = 3")[0][0])
    assert raw_row == {"统一社会信用代码": TENCENT, "测评类型": "年度测评", "测评日期": "2024-01-05", "总分": "105"}


def test_negative_indicator_and_unparseable_year_are_quarantined(landing, tmp_path):
    landing.text(
        "filings/f.csv",
        [["统一社会信用代码", "数据年度", "营业收入"], [HUAWEI, "2023", "-5"], [TENCENT, "二〇二三", "10"], [BAIDU, "2023", "10"]],
    )
    con = load(landing, tmp_path)
    assert rows(con, 'SELECT row_number, "column" FROM audit.quarantine ORDER BY row_number') == [(2, "revenue"), (3, "year")]
    assert rows(con, "SELECT uscc FROM raw.filings") == [(BAIDU,)]


def test_message_wording_names_file_row_column_and_expectation(landing, tmp_path):
    from pilotdw.sources.load import describe_problem

    msg = describe_problem("filings/f.csv", None, 7, "revenue", "filings", "expected a number ≥ 0", "-5")
    assert msg == "filings/f.csv, row 7, column revenue (营业收入): expected a number ≥ 0; found '-5'"


# ---------------------------------------------------------------- identity and geography

def test_register_locality_explicit_wins_and_is_flagged(landing, tmp_path):
    dalian, corps, tibet_unknown = make_uscc("210211"), make_uscc("650102", "MA7777777"), make_uscc("990000")
    landing.text(
        "registers/reg.csv",
        [
            [*REGISTER_HEADER, "地区代码", "撤销年度"],
            [HUAWEI, "华为技术有限公司", "示范企业", "2015", "", ""],  # derived Shenzhen
            [BAIDU, "北京百度网讯科技有限公司", "ip_advantage", "2016", "上海市", "2024"],  # explicit disagrees → flagged
            [dalian, "大连某某有限公司", "专精特新小巨人", "2021", "", ""],  # 2102 → Dalian
            [corps, "兵团某某有限公司", "小巨人", "2022", "660000", ""],  # the Corps: explicit, not flagged
            [tibet_unknown, "未知地区有限公司", "优势", "2022", "", ""],  # division 99 → unknown
            [TENCENT, "腾讯", "优势", "2019", "火星", ""],  # unknown explicit locality
        ],
    )
    con = load(landing, tmp_path)
    got = rows(con, "SELECT uscc, locality_code, locality_code_derived, locality_flag, revoked_year FROM raw.registers ORDER BY row_number")
    assert got == [
        (HUAWEI, "440300", "440300", False, None),
        (BAIDU, "310000", "110000", True, 2024),
        (dalian, "210200", "210200", False, None),
        (corps, "660000", "650000", False, None),
    ]
    quarantined = rows(con, 'SELECT row_number, "column", locality_code FROM audit.quarantine ORDER BY row_number')
    assert quarantined == [(6, "locality_code", None), (7, "locality_code", "440300")]  # row 7: its USCC still tells


@pytest.mark.parametrize("text,expected", [("国家知识产权示范企业", "ip_demonstration"), ("国家知识产权优势企业", "ip_advantage"),
                                           ('专精特新"小巨人"企业', "little_giant"), ("国家级专精特新小巨人企业", "little_giant"), ("little_giant", "little_giant")])
def test_qualification_text(landing, tmp_path, text, expected):
    landing.text("registers/reg.csv", [REGISTER_HEADER, [HUAWEI, "华为", text, "2020"]])
    assert rows(load(landing, tmp_path), "SELECT qualification FROM raw.registers") == [(expected,)]


# ---------------------------------------------------------------- pilot lists

def test_real_shanghai_list_loads_as_213_rows_16_with_two_categories(landing, tmp_path):
    landing.raw("pilots/310000_2023_b1_首批名单.tsv", REAL_SHANGHAI.read_bytes())
    con = load(landing, tmp_path)
    assert rows(con, "SELECT status, rows_read, rows_loaded, rows_quarantined FROM audit.loads") == [("loaded", 213, 213, 0)]
    assert rows(con, "SELECT DISTINCT locality_code, year, batch FROM raw.pilots") == [("310000", 2023, 1)]
    assert rows(con, "SELECT count(*) FILTER (WHERE len(category) = 2), count(*) FILTER (WHERE len(category) = 1) FROM raw.pilots") == [(16, 197)]
    # full-width brackets kept for display, unified for matching
    assert rows(con, "SELECT name, name_key FROM raw.pilots WHERE seq = 6") == [("上海微创医疗器械（集团）有限公司", "上海微创医疗器械(集团)有限公司")]


def test_pilot_columns_give_locality_year_batch_when_the_name_does_not(landing, tmp_path):
    landing.xlsx(
        "pilots/全国汇总.xlsx",
        {"汇总": [["地区代码", "年度", "批次", "单位名称", "类型", "报送日期"],
                 ["330200", "2024年", "第二批", "宁波 某某（集团）有限公司", "优势企业；小巨人", "2024/3/15"],
                 ["深圳市", "2024", "首批", "深圳某某有限公司", "示范企业,优势企业", "2024.3.1"]]},
    )
    con = load(landing, tmp_path)
    got = rows(con, "SELECT locality_code, year, batch, name_key, category, submitted_on::VARCHAR FROM raw.pilots ORDER BY row_number")
    assert got == [
        ("330200", 2024, 2, "宁波某某(集团)有限公司", ["优势企业", "小巨人"], "2024-03-15"),
        ("440300", 2024, 1, "深圳某某有限公司", ["示范企业", "优势企业"], "2024-03-01"),
    ]


def test_pilot_list_without_locality_year_batch_is_rejected(landing, tmp_path):
    landing.text("pilots/名单.csv", [["序号", "单位名称"], ["1", "某某有限公司"]], encoding="gb18030")
    con = load(landing, tmp_path)
    status, reason = rows(con, "SELECT status, reason FROM audit.loads")[0]
    assert status == "rejected"
    assert "<locality_code>_<year>_b<batch>" in reason and "locality_code (地区代码)" in reason


def test_resubmitted_list_supersedes_by_submitted_on(landing, tmp_path):
    header = ["单位名称", "报送日期"]
    # the later submission is the older file on disk: submitted_on decides when both give it
    landing.text("pilots/110000_2024_b1_初报.csv", [header, ["甲公司", "2024-03-01"], ["乙公司", "2024-03-01"]], mtime=2_000_000_000)
    landing.text("pilots/110000_2024_b1_更正.csv", [header, ["甲公司", "2024-03-20"], ["丙公司", "2024-03-20"]], mtime=1_900_000_000)
    con = load(landing, tmp_path)
    assert dict(rows(con, "SELECT path, status FROM audit.loads")) == {"pilots/110000_2024_b1_初报.csv": "superseded", "pilots/110000_2024_b1_更正.csv": "loaded"}
    current = rows(con, "SELECT name FROM raw.pilots WHERE superseded_by IS NULL ORDER BY name")
    assert current == [("丙公司",), ("甲公司",)]
    assert rows(con, "SELECT count(*) FROM raw.pilots") == [(4,)]  # the earlier list is kept, marked


def test_resubmitted_list_supersedes_by_modification_time_without_submitted_on(landing, tmp_path):
    landing.text("pilots/120000_2023_b1.csv", [["单位名称"], ["旧名单公司"]], mtime=1_700_000_000)
    landing.text("pilots/120000_2023_b1_v2.csv", [["单位名称"], ["新名单公司"]], mtime=1_700_100_000)
    con = load(landing, tmp_path)
    assert rows(con, "SELECT name FROM raw.pilots WHERE superseded_by IS NULL") == [("新名单公司",)]


# ---------------------------------------------------------------- filings history

def test_two_filings_for_the_same_year_are_both_kept(landing, tmp_path):
    header = ["统一社会信用代码", "数据年度", "填报日期", "营业收入"]
    landing.text("filings/2023_first.csv", [header, [HUAWEI, "2023", "2024-03-01", "100"]])
    landing.text("filings/2023_fix.csv", [header, [HUAWEI, "2023", "2024-04-01", "120"]], encoding="gb18030")
    con = load(landing, tmp_path)
    assert rows(con, "SELECT submitted_on::VARCHAR, revenue FROM raw.filings ORDER BY submitted_on") == [("2024-03-01", 100.0), ("2024-04-01", 120.0)]


# ---------------------------------------------------------------- the archive

def test_archive_is_content_addressed_and_duplicates_load_once(landing, tmp_path):
    rows_ = [REGISTER_HEADER, [HUAWEI, "华为技术有限公司", "示范", "2015"]]
    landing.text("registers/a.csv", rows_)
    landing.text("registers/copy_of_a.csv", rows_)
    archive = tmp_path / "home" / "archive"
    added = archive_landing(landing.root, archive)
    assert len(added) == 2 and added[0].content_hash == added[1].content_hash
    assert archive_landing(landing.root, archive) == []  # nothing new: nothing archived twice
    stored = stored_path(archive, added[0])
    assert stored.read_bytes() == (landing.root / "registers/a.csv").read_bytes()
    assert not os.access(stored, os.W_OK) or os.geteuid() == 0  # read-only (root may still write)
    con = duckdb.connect()
    ingest(con, archive)
    assert dict(rows(con, "SELECT path, status FROM audit.loads")) == {"registers/a.csv": "loaded", "registers/copy_of_a.csv": "duplicate"}
    assert rows(con, "SELECT count(*) FROM raw.registers") == [(1,)]


def test_changed_file_supersedes_its_older_version_which_stays_archived(landing, tmp_path):
    archive = tmp_path / "home" / "archive"
    landing.text("registers/reg.csv", [REGISTER_HEADER, [HUAWEI, "华为", "示范", "20x5"]], mtime=1_700_000_000)
    archive_landing(landing.root, archive)
    landing.text("registers/reg.csv", [REGISTER_HEADER, [HUAWEI, "华为", "示范", "2015"]], mtime=1_700_000_100)
    archive_landing(landing.root, archive)
    entries = read_manifest(archive)
    assert len(entries) == 2 and all(stored_path(archive, e).exists() for e in entries)
    con = duckdb.connect()
    ingest(con, archive)
    assert sorted(r[0] for r in rows(con, "SELECT status FROM audit.loads")) == ["loaded", "superseded"]
    assert rows(con, "SELECT recognized_year FROM raw.registers") == [(2015,)]
    assert rows(con, "SELECT count(*) FROM audit.quarantine") == [(0,)]  # the bad old row no longer counts


def test_excel_lock_and_hidden_files_are_not_submissions(landing, tmp_path):
    landing.raw("pilots/~$310000_2024_b1.xlsx", b"lock")
    landing.raw("pilots/.DS_Store", b"junk")
    archive = tmp_path / "home" / "archive"
    assert archive_landing(landing.root, archive) == []


def test_a_withdrawn_file_leaves_later_builds_and_new_content_brings_it_back(landing, tmp_path):
    from pilotdw.sources.archive import withdraw

    archive = tmp_path / "home" / "archive"
    landing.raw("pilots/scan.pdf", b"%PDF-1.4")
    landing.text("registers/reg.csv", [REGISTER_HEADER, [HUAWEI, "华为", "示范", "2015"]])
    archive_landing(landing.root, archive)
    withdraw(archive, "pilots/scan.pdf", "sent to the wrong folder")
    assert archive_landing(landing.root, archive) == []  # still in landing, unchanged: stays withdrawn
    con = duckdb.connect()
    ingest(con, archive)
    assert rows(con, "SELECT path, status FROM audit.loads ORDER BY path") == [("pilots/scan.pdf", "superseded"), ("registers/reg.csv", "loaded")]
    assert "withdrawn" in rows(con, "SELECT reason FROM audit.loads WHERE path = 'pilots/scan.pdf'")[0][0]
    assert "sent to the wrong folder" in rows(con, "SELECT reason FROM audit.loads WHERE path = 'pilots/scan.pdf'")[0][0]
    with pytest.raises(KeyError):
        withdraw(archive, "pilots/never.csv", "typo")
    landing.raw("pilots/scan.pdf", b"%PDF-1.5 another scan")
    assert len(archive_landing(landing.root, archive)) == 1
    con = duckdb.connect()
    ingest(con, archive)
    assert rows(con, "SELECT status FROM audit.loads WHERE path = 'pilots/scan.pdf' ORDER BY status") == [("rejected",), ("superseded",)]


def test_quarantined_pilot_rows_carry_the_lists_locality(landing, tmp_path):
    landing.text("pilots/330200_2024_b1.csv", [["统一社会信用代码", "单位名称"], ["123", "宁波甲公司"], ["", "宁波乙公司"]])
    con = load(landing, tmp_path)
    assert rows(con, 'SELECT row_number, "column", locality_code FROM audit.quarantine') == [(2, "uscc", "330200")]


def _tables(con) -> dict[str, list[tuple]]:
    """Every raw and audit table, rows in stored order, without the build's own timestamps."""
    out = {}
    for table in ("raw.registers", "raw.pilots", "raw.assessments", "raw.filings", "audit.quarantine", "audit.loads"):
        out[table] = rows(con, f"SELECT * EXCLUDE (loaded_at) FROM {table}" if table != "audit.quarantine" else f"SELECT * FROM {table}")
    return out


def test_parsing_in_worker_processes_writes_the_same_tables_in_the_same_order(tmp_path):
    """Demo landing (csv, tsv, xlsx, GB18030, title rows, bad cells, resubmitted lists) plus the real
    Shanghai list: two worker processes must give exactly the single-process tables (issue 7)."""
    from pilotdw.demo.generate import write_landing

    landing = tmp_path / "landing"
    write_landing(landing, enterprises=1500, include_rejects=True)  # copies the real Shanghai list too
    assert any("310000_2023_b1" in p.name for p in (landing / "pilots").iterdir())
    archive = tmp_path / "home" / "archive"
    archive_landing(landing, archive)
    built = {}
    for workers in (1, 2):
        con = duckdb.connect()
        summary = ingest(con, archive, workers=workers)
        built[workers] = _tables(con)
        assert summary.count("loaded") > 20 and summary.count("rejected") > 0
    assert sum(len(v) for v in built[1].values()) > 5000
    assert any(r for r in built[1]["audit.quarantine"])  # the bad rows are there to compare
    for table in built[1]:
        assert built[2][table] == built[1][table], table
