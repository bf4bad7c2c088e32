"""A small, hand-made landing folder whose truth the tests know: three localities, clean enough to
pass every block gate, with one deliberate trigger for each warn gate."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from pathlib import Path

from pilotdw.sources.uscc import check_digit

LOCALITIES = {"310000": ("310104", "上海"), "110000": ("110108", "北京"), "440300": ("440305", "深圳")}
PER_LOCALITY = 30
PILOTS_PER_LIST = 12  # of 30 eligible: 40 % ≥ 1/3
UNMATCHED_SHANGHAI = ["上海市第一人民医院", "中国科学院上海某某研究所"]  # 2 of 14 rows: > 5 % unmatched
WORDS = ["星辰", "远航", "华光", "新锐", "恒通", "智源", "卓越", "博瑞", "天合", "明德"]


def uscc_for(division: str, n: int) -> str:
    first17 = f"91{division}MA{n:07d}"[:17]
    return first17 + check_digit(first17)


@dataclass
class Enterprise:
    uscc: str
    name: str
    locality: str


@dataclass
class CraftedLanding:
    root: Path
    enterprises: dict[str, list[Enterprise]] = field(default_factory=dict)

    def write(self, rel: str, rows: list[list[object]], encoding: str = "utf-8") -> Path:
        path = self.root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        buf = io.StringIO()
        csv.writer(buf, delimiter="\t" if rel.endswith(".tsv") else ",", lineterminator="\n").writerows(rows)
        path.write_bytes(buf.getvalue().encode(encoding))
        return path


def build_clean_landing(root: Path) -> CraftedLanding:
    """Registers, 2023 lists, assessments and 2023–2024 filings for three localities, plus the warn
    triggers: unmatched names in Shanghai's list, a Shanghai enterprise on Beijing's list (locality
    mismatch), Shenzhen pilots that did not file for 2024 (filing rate), and a tenfold revenue jump."""
    land = CraftedLanding(root)
    register = [["统一社会信用代码", "企业名称", "资质类型", "认定年度"]]
    for code, (division, city) in LOCALITIES.items():
        firms = [Enterprise(uscc_for(division, i + int(code[:2]) * 1000), f"{city}{WORDS[i % 10]}{i:02d}科技有限公司", code) for i in range(PER_LOCALITY)]
        land.enterprises[code] = firms
        for i, e in enumerate(firms):
            register.append([e.uscc, e.name, ["国家知识产权示范企业", "国家知识产权优势企业", "专精特新小巨人企业"][i % 3], 2015 + i % 8])
    land.write("registers/national_register.csv", register, encoding="gb18030")

    sh, bj, sz = (land.enterprises[c] for c in LOCALITIES)
    # Shanghai: names only (matched by name), with two units no national register holds
    land.write("pilots/310000_2023_b1_首批名单.tsv",
               [["序号", "单位名称", "类型"]] + [[i + 1, e.name, "示范企业"] for i, e in enumerate(sh[:PILOTS_PER_LIST])]
               + [[PILOTS_PER_LIST + i + 1, n, "其他"] for i, n in enumerate(UNMATCHED_SHANGHAI)])
    # Beijing: with USCCs, and one Shanghai enterprise on it (a locality mismatch)
    land.write("pilots/110000_2023_b1.csv",
               [["统一社会信用代码", "单位名称", "报送日期"]] + [[e.uscc, e.name, "2023-06-20"] for e in bj[:PILOTS_PER_LIST]]
               + [[sh[-1].uscc, sh[-1].name, "2023-06-20"]])
    land.write("pilots/440300_2023_b1.csv", [["统一社会信用代码", "单位名称"]] + [[e.uscc, e.name] for e in sz[:PILOTS_PER_LIST]])

    pilots = sh[:PILOTS_PER_LIST] + bj[:PILOTS_PER_LIST] + sz[:PILOTS_PER_LIST]
    assessments = [["统一社会信用代码", "测评类型", "测评日期", "总分"]]
    for i, e in enumerate(pilots):
        assessments.append([e.uscc, "初始测评", "2023-09-15", 60 + i % 10])
        assessments.append([e.uscc, "年度测评", "2024年9月15日", 62 + i % 10 + (i % 3)])
    land.write("assessments/2023_2024_scores.csv", assessments)

    filings = [["统一社会信用代码", "数据年度", "填报日期", "营业收入（万元）", "高价值发明专利拥有量"]]
    for i, e in enumerate(pilots):
        filings.append([e.uscc, "2023", "2024-03-01", 1000 + 10 * i, 5 + i % 4])
        if e.locality == "440300" and i % 2:
            continue  # half of Shenzhen's pilots did not file for 2024
        revenue = 50_000 if e is bj[0] else 1100 + 10 * i  # a tenfold jump for one Beijing pilot
        filings.append([e.uscc, "2024年", "2025-03-01", f"{revenue:,}", 6 + i % 4])
    land.write("filings/annual_2023_2024.csv", filings, encoding="utf-8-sig")
    for source in ("registers", "pilots", "assessments", "filings"):
        (root / source).mkdir(parents=True, exist_ok=True)
    return land
