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
