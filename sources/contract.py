"""The columns each source must or may have, with their Chinese aliases (data-contract.md), and how a
header cell is matched to them."""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from pilotdw.settings import indicators


@dataclass(frozen=True)
class Column:
    name: str
    aliases: tuple[str, ...] = ()
    kind: str = "text"  # how cells are parsed: see sources.parse
    required: bool = False  # the header must have it, and every row must fill it


def _cols(*cols: Column) -> dict[str, Column]:
    return {c.name: c for c in cols}


USCC = Column("uscc", ("统一社会信用代码", "信用代码"), "uscc", required=True)

_INDICATOR_ALIASES = {
    "revenue": ("营业收入",),
    "rd_expense": ("研发投入", "研发费用"),
    "invention_applications": ("发明专利申请量",),
    "invention_grants": ("发明专利授权量",),
    "valid_invention_patents": ("有效发明专利拥有量", "有效发明专利数"),
    "high_value_invention_patents": ("高价值发明专利拥有量", "高价值发明专利数"),
    "pct_applications": ("PCT国际专利申请量", "PCT申请量"),
    "trademark_registrations": ("商标注册量",),
    "ip_staff": ("知识产权专职人员数", "知识产权工作人员"),
    "ip_budget": ("知识产权经费投入", "知识产权经费"),
    "ip_transaction_income": ("知识产权许可转让收入", "知识产权转让许可收入"),
    "ip_pledge_financing": ("知识产权质押融资额",),
    "patent_product_revenue": ("专利产品销售收入", "专利密集型产品收入"),
}
assert tuple(_INDICATOR_ALIASES) == indicators(), "indicator aliases must follow the indicators seed"

SOURCE_COLUMNS: dict[str, dict[str, Column]] = {
    "registers": _cols(
        USCC,
        Column("name", ("企业名称", "单位名称"), "name", required=True),
        Column("qualification", ("资质类型", "类型"), "qualification", required=True),
        Column("recognized_year", ("认定年度", "认定年份"), "year", required=True),
        Column("locality_code", ("地区代码", "所属地区"), "locality"),
        Column("revoked_year", ("撤销年度", "取消年度"), "year"),
    ),
    "pilots": _cols(
        Column("name", ("单位名称", "企业名称"), "name", required=True),
        Column("uscc", ("统一社会信用代码",), "uscc"),
        Column("seq", ("序号",), "seq"),
        Column("category", ("类型", "企业类型"), "category"),
        Column("district", ("区县", "所属区"), "text"),
        Column("locality_code", ("地区代码",), "locality"),
        Column("year", ("年度", "试点年度"), "year"),
        Column("batch", ("批次",), "batch"),
        Column("submitted_on", ("报送日期",), "date"),
    ),
    "assessments": _cols(
        USCC,
        Column("kind", ("测评类型", "评价类型"), "assessment_kind", required=True),
        Column("assessed_on", ("测评日期", "评价日期"), "date", required=True),
        Column("total_score", ("总分", "综合得分"), "score", required=True),
        Column("foundation_score", ("基础管理",), "score"),
        Column("strategy_score", ("战略管理",), "score"),
        Column("process_score", ("创新过程管理",), "score"),
        Column("results_score", ("成效",), "score"),
        Column("grade", ("等级", "评价等级"), "grade"),
        Column("evaluator", ("评价机构", "测评机构"), "text"),
    ),
    "filings": _cols(
        USCC,
        Column("year", ("数据年度", "填报年度"), "year", required=True),
        Column("submitted_on", ("填报日期",), "date"),
        *(Column(name, aliases, "indicator") for name, aliases in _INDICATOR_ALIASES.items()),
    ),
}

# A trailing unit in brackets: 营业收入（万元）, revenue (10k CNY), 人员数[人]. After NFKC full-width
# round brackets are ASCII; 【】 are not touched by NFKC, so they are listed.
_TRAILING_UNIT = re.compile(r"[(\[【][^()\[\]【】]*[)\]】]$")


def header_key(text: object) -> str:
    """How a header cell is compared: NFKC (full-/half-width), case-folded, whitespace and a
    leading/trailing required-field asterisk removed, and a trailing unit in brackets dropped."""
    t = unicodedata.normalize("NFKC", str(text or "")).casefold()
    t = "".join(t.split()).strip("*")
    t = _TRAILING_UNIT.sub("", t)
    return t


def _alias_index(source: str) -> dict[str, str]:
    index: dict[str, str] = {}
    for col in SOURCE_COLUMNS[source].values():
        for alias in (col.name, *col.aliases):
            index.setdefault(header_key(alias), col.name)
    return index


_ALIASES = {source: _alias_index(source) for source in SOURCE_COLUMNS}


def match_header(source: str, cells: list[object]) -> dict[int, str]:
    """Position → contract column for the header cells that name one. When two cells name the same
    column the first wins; the other stays an extra column."""
    found: dict[int, str] = {}
    taken: set[str] = set()
    for pos, cell in enumerate(cells):
        name = _ALIASES[source].get(header_key(cell))
        if name and name not in taken:
            found[pos] = name
            taken.add(name)
    return found


def required_columns(source: str) -> list[str]:
    return [c.name for c in SOURCE_COLUMNS[source].values() if c.required]


def describe_column(source: str, name: str) -> str:
    """`uscc (统一社会信用代码 / 信用代码)`, for messages."""
    col = SOURCE_COLUMNS[source][name]
    return f"{name} ({' / '.join(col.aliases)})" if col.aliases else name
