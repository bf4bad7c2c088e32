"""national.xlsx: the sheets, Chinese headers, frozen header rows, number formats, widths, values
equal to the marts, and no formula smuggled in through the data."""
from __future__ import annotations

import decimal
import re
import zipfile

import duckdb
import pytest
from openpyxl import load_workbook

from pilotdw.reports.render import write_reports
from pilotdw.reports.workbook import Sheet, write_workbook
from tests.fixtures.real_builds import FORMULA_VALUES, INJECTION_NAME

ZH_SHEETS = ["关键指标", "覆盖率", "参与漏斗", "成效排名", "试点效果", "得分提升", "名单报送时效", "数据质量检查", "隔离行",
             "拒收文件", "滞后企业", "变化", "构建信息"]
CJK = re.compile(r"[\u4e00-\u9fff]")


@pytest.fixture(scope="module")
def workbook(rendered):
    return load_workbook(rendered["dir"] / "national.xlsx")


def _headers(ws) -> list[str]:
    return [c.value for c in ws[1]]


def test_sheets_and_chinese_headers(workbook):
    assert workbook.sheetnames == ZH_SHEETS
    for ws in workbook.worksheets:
        headers = _headers(ws)
        assert headers and all(isinstance(h, str) and CJK.search(h) for h in headers), (ws.title, headers)
    assert _headers(workbook["覆盖率"])[:4] == ["地区代码", "地区", "年度", "符合条件企业数"]
    assert "累计覆盖率" in _headers(workbook["覆盖率"]) and "达到目标" in _headers(workbook["覆盖率"])


def test_frozen_header_row_filters_and_widths(workbook):
    for ws in workbook.worksheets:
        assert ws.freeze_panes == "A2", ws.title
        for j in range(1, ws.max_column + 1):
            letter = ws.cell(row=1, column=j).column_letter
            assert ws.column_dimensions[letter].width >= 8, (ws.title, letter)
    assert workbook["覆盖率"].auto_filter.ref.startswith("A1:")


def test_values_and_number_formats_match_the_mart(workbook, warehouse_path, year):
    ws = workbook["覆盖率"]
    headers = _headers(ws)
    col = {h: i for i, h in enumerate(headers)}
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        mart = {r[0]: r[1:] for r in con.execute(
            "SELECT locality_code, eligible_base, cumulative_coverage, on_track, list_submitted_on "
            "FROM marts.coverage_by_locality_year WHERE year = ?", [year]).fetchall()}
    rows = list(ws.iter_rows(min_row=2))
    assert len(rows) == len(mart) == 37
    for row in rows:
        code = row[col["地区代码"]].value
        base, coverage, on_track, submitted = mart[code]
        assert row[col["符合条件企业数"]].value == base and row[col["符合条件企业数"]].number_format == "#,##0"
        cell = row[col["累计覆盖率"]]
        assert cell.value == (None if coverage is None else pytest.approx(coverage, rel=1e-12))
        if coverage is not None:
            assert cell.number_format == "0.0%"
        assert row[col["达到目标"]].value == (None if on_track is None else ("是" if on_track else "否"))
        date = row[col["名单报送日期"]]
        assert (date.value.date() if date.value else None) == submitted
        if submitted:
            assert date.number_format == "yyyy-mm-dd"


def test_national_key_figures_sheet(workbook, warehouse_path):
    ws = workbook["关键指标"]
    headers = _headers(ws)
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        years = con.execute("SELECT year, eligible_base, cumulative_coverage FROM marts.national_summary ORDER BY year").fetchall()
    got = [(r[0].value, r[headers.index("符合条件企业数")].value, r[headers.index("累计覆盖率")].value)
           for r in ws.iter_rows(min_row=2)]
    assert got == years


def test_formula_like_text_is_written_as_text(rendered, workbook):
    found = {}
    for ws in workbook.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and cell.value[:1] in "=+-@":
                    found[cell.value] = cell
                    assert cell.data_type == "s", (ws.title, cell.coordinate, cell.value)
                    assert cell.quotePrefix, (ws.title, cell.coordinate)
    assert {INJECTION_NAME, *FORMULA_VALUES} <= set(found)  # a name on 滞后企业, values on 隔离行
    with zipfile.ZipFile(rendered["dir"] / "national.xlsx") as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)


def test_write_workbook_never_writes_a_formula(tmp_path):
    path = write_workbook([Sheet("t", [("名称", "text"), ("数", "count")],
                                 [("=1+1", 1), ("+A1", 2), ("-A1", 3), ("@A1", 4), ("普通", 5)])], tmp_path / "t.xlsx")
    ws = load_workbook(path)["t"]
    assert [c.value for c in ws["A"][1:]] == ["=1+1", "+A1", "-A1", "@A1", "普通"]
    assert all(c.data_type == "s" for c in ws["A"][1:])
    assert [c.value for c in ws["B"][1:]] == [1, 2, 3, 4, 5]


def test_write_workbook_writes_nan_and_infinity_as_empty_cells(tmp_path):
    path = write_workbook([Sheet("t", [("名称", "text"), ("值", "ratio"), ("数", "count")],
                                 [("a", float("inf"), 1), ("b", float("-inf"), decimal.Decimal("NaN")),
                                  ("c", float("nan"), 3), ("d", 0.5, 4)])], tmp_path / "t.xlsx")
    with zipfile.ZipFile(path) as z:
        xml = z.read("xl/worksheets/sheet1.xml")
    assert b"<f>" not in xml and b"<f " not in xml
    ws = load_workbook(path)["t"]
    assert [c.value for c in ws["B"][1:]] == [None, None, None, 0.5]
    assert [c.value for c in ws["C"][1:]] == [1, None, 3, 4]


def test_national_workbook_of_a_warehouse_with_nan_and_infinity_has_no_formula(warehouse_path, tmp_path):
    """A warehouse holding ±inf and NaN in mart and audit columns (as an old build's tenfold gate
    recorded observed_value = inf): national.xlsx shows them as empty cells, never `=1/0`."""
    import shutil

    copy = shutil.copy(warehouse_path, tmp_path / "nonfinite.duckdb")
    with duckdb.connect(str(copy)) as con:
        (year,) = con.execute("SELECT max(year) FROM marts.national_summary").fetchone()
        con.execute("UPDATE marts.regional_effectiveness SET hvp_growth = 'inf'::DOUBLE, "
                    "mean_score_delta = '-inf'::DOUBLE, share_improved = 'nan'::DOUBLE WHERE year = ?", [year])
        con.execute("UPDATE audit.check_results SET observed_value = 'inf'::DOUBLE WHERE \"check\" = 'pilot_unmatched_share'")
        con.execute("UPDATE marts.coverage_by_locality_year SET batch_ratio = 'nan'::DOUBLE WHERE year = ?", [year])
        assert con.execute("SELECT count(*) FROM marts.regional_effectiveness WHERE isinf(hvp_growth)").fetchall()[0][0] > 0
    with duckdb.connect(str(copy), read_only=True) as con:
        write_reports(con, tmp_path / "out")
    path = tmp_path / "out" / str(year) / "national.xlsx"
    with zipfile.ZipFile(path) as z:
        sheets = [n for n in z.namelist() if n.startswith("xl/worksheets/sheet")]
        assert sheets and not any(b"<f>" in z.read(n) or b"<f " in z.read(n) for n in sheets)
    wb = load_workbook(path)
    ws = wb["成效排名"]
    col = {h: i for i, h in enumerate(_headers(ws))}
    rows = [r for r in ws.iter_rows(min_row=2, values_only=True) if r[col["地区代码"]] != "000000"]
    assert rows and all(r[col["高价值发明专利增速（中位数）"]] is None and r[col["平均得分提升"]] is None for r in rows)
    checks = wb["数据质量检查"]
    col = {h: i for i, h in enumerate(_headers(checks))}
    (row,) = [r for r in checks.iter_rows(min_row=2, values_only=True) if r[0] == "pilot_unmatched_share"]
    assert row[col["观测值"]] is None


def test_english_workbook_has_english_headers(warehouse_path, year, tmp_path):
    with duckdb.connect(str(warehouse_path), read_only=True) as con:
        write_reports(con, tmp_path, lang="en")
    wb = load_workbook(tmp_path / str(year) / "national.xlsx")
    assert "Coverage" in wb.sheetnames
    assert _headers(wb["Coverage"])[:3] == ["Locality code", "Locality", "Year"]
    assert not any(CJK.search(h) for ws in wb.worksheets for h in _headers(ws))
