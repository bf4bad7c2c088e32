"""A table longer than Excel allows continues on further sheets instead of failing or being cut."""
from __future__ import annotations

from openpyxl import load_workbook

from pilotdw.reports import workbook


def test_long_tables_continue_on_numbered_sheets(tmp_path, monkeypatch):
    monkeypatch.setattr(workbook, "EXCEL_MAX_ROWS", 4)  # 3 data rows per sheet
    sheet = workbook.Sheet("得分提升", [("统一社会信用代码", "text"), ("得分", "score")], [(f"U{i}", float(i)) for i in range(7)])
    path = workbook.write_workbook([sheet, workbook.Sheet("空表", [("a", "text")])], tmp_path / "x.xlsx")
    wb = load_workbook(path)
    assert wb.sheetnames == ["得分提升 (1)", "得分提升 (2)", "得分提升 (3)", "空表"]
    values = [r for name in wb.sheetnames[:3] for r in wb[name].iter_rows(min_row=2, values_only=True)]
    assert values == [(f"U{i}", float(i)) for i in range(7)]
    assert all(wb[name]["A1"].value == "统一社会信用代码" and wb[name].freeze_panes == "A2" for name in wb.sheetnames[:3])


def test_a_table_over_the_limit_goes_beside_the_workbook_as_csv(tmp_path, monkeypatch):
    """Issue 17: past PILOTDW_XLSX_MAX_ROWS a table is written as UTF-8 CSV beside national.xlsx (every
    row, every value), and its sheet says where it went; shorter tables stay in the workbook."""
    import csv
    import datetime as dt

    monkeypatch.setenv("PILOTDW_XLSX_MAX_ROWS", "3")
    rows = [(f"U{i}", float(i), dt.date(2024, 1, i + 1), None if i == 2 else "是") for i in range(4)] + [("=cmd", 9.5, None, "否")]
    long = workbook.Sheet("得分提升", [("统一社会信用代码", "text"), ("得分", "score"), ("日期", "date"), ("达标", "text")],
                          iter(rows), count=len(rows), lang="zh")
    short = workbook.Sheet("关键指标", [("a", "text")], [("x",), ("y",)])
    path = workbook.write_workbook([long, short], tmp_path / "national.xlsx")

    beside = tmp_path / "national_得分提升.csv"
    assert workbook.spill_path(path, long) == beside
    with beside.open(encoding="utf-8-sig", newline="") as fh:
        got = list(csv.reader(fh))
    assert got[0] == ["统一社会信用代码", "得分", "日期", "达标"]
    assert got[1:] == [[f"U{i}", str(float(i)), f"2024-01-0{i + 1}", "" if i == 2 else "是"] for i in range(4)] + [["'=cmd", "9.5", "", "否"]]
    wb = load_workbook(path)
    assert wb.sheetnames == ["得分提升", "关键指标"]
    note = wb["得分提升"]["A1"].value
    assert "national_得分提升.csv" in note and "5 行" in note
    assert [r for r in wb["关键指标"].iter_rows(min_row=2, values_only=True)] == [("x",), ("y",)]
