"""The one label catalogue of the reports: every word a reader sees in the HTML reports and the
XLSX workbook comes from here, in Chinese (the default) and English.

Keys are stable English identifiers; column labels are keyed by the mart column name, so a header in
the workbook and the same column in the HTML read the same.
"""
from __future__ import annotations

from functools import lru_cache

from pilotdw.settings import INDICATORS_CSV

LANGS = ("zh", "en")
HTML_LANG = {"zh": "zh-CN", "en": "en"}

# key: (中文, English)
_TEXT: dict[str, tuple[str, str]] = {
    # titles and sections
    "programme": ("创新管理知识产权国际标准实施试点", "ISO 56005 IP-management pilot programme"),
    "notice": ("国知办发运字〔2023〕23号", "Notice CNIPA 2023 No. 23"),
    "national_title": ("{year}年度全国试点工作评估报告", "National evaluation report {year}"),
    "locality_title": ("{name} {year}年度试点工作评估卡", "{name}: evaluation card {year}"),
    "toc": ("目录", "Contents"),
    "sec_key_figures": ("关键指标", "Key figures"),
    "sec_coverage": ("各地区覆盖率与年度目标", "Coverage by locality against the year's target"),
    "sec_coverage_trend": ("历年覆盖率", "Coverage over the years"),
    "sec_participation": ("参与情况（漏斗）", "Participation funnel"),
    "sec_improvement": ("测评得分提升分布", "Distribution of score improvement"),
    "sec_effectiveness": ("地区成效排名", "Regional effectiveness ranking"),
    "sec_timeliness": ("试点名单报送时效", "Timeliness of pilot-list submission"),
    "sec_quality": ("数据质量", "Data quality"),
    "sec_build": ("数据来源与构建信息", "Sources and build"),
    "sec_changes": ("与上次发布相比的变化", "Changes since the previous published build"),
    "sec_actions": ("进度滞后的企业（待办清单）", "Enterprises behind schedule (action list)"),
    "sec_localities": ("地区评估卡", "Locality cards"),
    # key figures
    "kf_localities_with_lists": ("报送名单的地区", "Localities with a list"),
    "kf_eligible_base": ("符合条件的企业", "Eligible enterprises"),
    "kf_batch_pilots": ("本年度试点企业", "Pilots in this year's lists"),
    "kf_cumulative_eligible_pilots": ("累计覆盖的符合条件企业", "Eligible enterprises covered so far"),
    "kf_cumulative_coverage": ("累计覆盖率", "Cumulative coverage"),
    "kf_target_coverage": ("本年度目标", "This year's target"),
    "kf_localities_on_track": ("达到累计目标的地区", "Localities on track"),
    "kf_localities_meeting_batch_target": ("本批次达到1/3的地区", "Localities whose batch reaches 1/3"),
    "kf_filing_rate": ("年度数据填报率", "Annual filing rate"),
    "kf_mean_score_delta": ("平均得分提升（分）", "Mean score gain (points)"),
    "kf_share_improved": ("得分提升的企业占比", "Share of enterprises improved"),
    "kf_effectiveness_index": ("成效指数", "Effectiveness index"),
    "kf_rank": ("成效排名", "Effectiveness rank"),
    "of_localities": ("共{n}个地区", "of {n} localities"),
    "target_is": ("目标 {target}", "target {target}"),
    # coverage chart and table
    "chart_coverage_caption": (
        "按累计覆盖率排序；竖虚线为本年度目标 {target}；橙色斜纹条表示未达目标。",
        "Sorted by cumulative coverage; the dashed line is this year's target {target}; "
        "orange hatched bars are behind target.",
    ),
    "legend_on_track": ("达到目标", "On track"),
    "legend_behind": ("未达目标", "Behind target"),
    "legend_no_base": ("无符合条件的企业", "No eligible enterprises"),
    "target_line": ("目标", "Target"),
    "coverage_summary": (
        "{on_track}个地区达到本年度目标，{behind}个地区未达目标，{no_base}个地区无符合条件的企业。",
        "{on_track} localities on track, {behind} behind target, {no_base} without eligible enterprises.",
    ),
    "chart_trend_caption": ("每年累计覆盖率；短横线为当年目标。", "Cumulative coverage each year; ticks mark each year's target."),
    # participation
    "funnel_caption": ("累计试点企业中完成各环节的企业数及比例。", "Of the cumulative pilots, how many completed each step."),
    "funnel_national_missing": (
        "仓库中没有全国参与汇总（marts.participation_by_locality_year 的 000000 行），此处只列各地区。",
        "The warehouse has no national participation total (row 000000 of "
        "marts.participation_by_locality_year); localities are listed instead.",
    ),
    "step_cumulative_pilots": ("累计试点企业", "Cumulative pilots"),
    "step_assessed_initial": ("完成初始测评", "Initial assessment done"),
    "step_filed": ("完成年度数据填报", "Annual data filed"),
    "step_graded": ("完成分级评价", "Graded evaluation done"),
    # improvement
    "hist_caption": (
        "每个试点企业最近一次测评得分与初始测评得分之差（{n}家企业）；实线为平均值，虚线为中位数。",
        "Latest minus baseline total score of each pilot enterprise ({n} enterprises); "
        "solid line mean, dashed line median.",
    ),
    "hist_axis": ("得分变化（分）", "Score change (points)"),
    "hist_count": ("企业数", "Enterprises"),
    "mean": ("平均值", "Mean"),
    "median": ("中位数", "Median"),
    "grade_caption": ("最近一次分级评价的等级分布。", "Grade of each enterprise's latest graded evaluation."),
    "no_scores": ("本年度尚无可比较的测评得分。", "No comparable assessment scores for this year yet."),
    "grade_1": ("初始级", "Initial"),
    "grade_2": ("过程级", "Process"),
    "grade_3": ("项目级", "Project"),
    "grade_4": ("系统级", "System"),
    "grade_5": ("生态级", "Ecosystem"),
    # effectiveness
    "formula": ("成效指数计算公式", "How the effectiveness index is computed"),
    "formula_missing": (
        "公式说明见项目文档 docs/metrics.md。",
        "The formula is documented in the project's docs/metrics.md.",
    ),
    "national_row": ("全国", "National"),
    # timeliness
    "deadline_rule": (
        "报送截止日期：每年3月31日（{p0}年为6月30日）。",
        "Deadline: 31 March of each year (30 June in {p0}).",
    ),
    "status_on_time": ("按时", "On time"),
    "status_late": ("逾期", "Late"),
    "status_no_date": ("未注明报送日期", "Date not given"),
    "status_no_list": ("未报送名单", "No list"),
    "timeliness_summary": (
        "按时{on_time}个，逾期{late}个，未注明日期{no_date}个，未报送{no_list}个。",
        "{on_time} on time, {late} late, {no_date} without a date, {no_list} without a list.",
    ),
    # data quality
    "checks_summary": (
        "本次构建共运行{total}项数据质量检查，通过{passed}项；{warn}项预警，{block}项阻断。",
        "This build ran {total} data-quality checks: {passed} passed, {warn} warnings, {block} blocking failures.",
    ),
    "no_checks": ("仓库中没有数据质量检查记录（audit.check_results）。", "No data-quality results in the warehouse (audit.check_results)."),
    "warnings": ("预警", "Warnings"),
    "blocking_failures": ("阻断性问题", "Blocking failures"),
    "no_warnings": ("无预警。", "No warnings."),
    "quarantine_by_source": ("隔离行（按来源与地区）", "Quarantined rows by source and locality"),
    "quarantine_by_file": ("隔离行（按文件与原因）", "Quarantined rows by file and reason"),
    "no_quarantine": ("没有被隔离的数据行。", "No quarantined rows."),
    "rejected_files": ("被拒收的文件", "Rejected files"),
    "no_rejected": ("没有被拒收的文件。", "No rejected files."),
    "locality_unknown": ("未能确定地区", "Locality not determined"),
    "quarantine_locality_missing": (
        "隔离记录未标注地区（audit.quarantine 无 locality_code 列）。",
        "Quarantine records carry no locality (audit.quarantine has no locality_code column).",
    ),
    # build
    "build_id": ("构建编号", "Build id"),
    "run_id": ("运行编号", "Run id"),
    "as_of": ("数据截至", "Data as of"),
    "started_at": ("开始时间", "Started"),
    "finished_at": ("完成时间", "Finished"),
    "source_files": ("来源文件（{n}个）", "Source files ({n})"),
    "no_build": ("仓库中没有构建记录（audit.builds）。", "No build record in the warehouse (audit.builds)."),
    "generated_from": ("本报告由 pilotdw 依据已发布的数据仓库生成，不含任何在报告中另行计算的指标。",
                       "Generated by pilotdw from the published warehouse; the report computes no figure of its own."),
    # changes
    "no_previous": ("没有上次发布的构建可供比较。", "No previous published build to compare with."),
    "previous_no_year": ("上次发布的构建中没有{year}年的数据。", "The previous build has no data for {year}."),
    "previous_build": ("上次构建", "Previous build"),
    "current_build": ("本次构建", "This build"),
    "then": ("上次", "Then"),
    "now": ("本次", "Now"),
    "changed": ("有变化", "Changed"),
    "unchanged": ("无变化", "Unchanged"),
    "on_track_changes": ("达标状态发生变化的地区", "Localities whose on-track status changed"),
    "no_on_track_changes": ("没有地区的达标状态发生变化。", "No locality changed its on-track status."),
    "became_on_track": ("转为达标", "Now on track"),
    "became_behind": ("转为未达标", "Now behind"),
    # actions (locality cards)
    "act_not_piloted": ("符合条件但尚未纳入试点", "Eligible but not yet piloted"),
    "act_not_assessed": ("已纳入试点但未完成初始测评", "Piloted but without an initial assessment"),
    "act_not_filed": ("已纳入试点但未填报本年度数据", "Piloted but this year's data not filed"),
    "act_none": ("无。", "None."),
    "act_missing": (
        "仓库中尚无企业进度表（marts.enterprise_status_by_year），暂无法列出滞后企业。",
        "The warehouse has no enterprise progress table (marts.enterprise_status_by_year) yet; "
        "enterprises behind schedule cannot be listed.",
    ),
    "act_count": ("共{n}家", "{n} enterprises"),
    # misc
    "yes": ("是", "Yes"),
    "no": ("否", "No"),
    "none_value": ("—", "—"),
    "national": ("全国", "National"),
    "back_to_national": ("返回全国报告", "Back to the national report"),
    "card_link": ("评估卡", "Card"),
    "unit_enterprises": ("家", ""),
    "unit_localities": ("个", ""),
    "page_footer": ("数据截至 {as_of} · 构建 {build_id}", "Data as of {as_of} · build {build_id}"),
    "sheet_notes": ("说明", "Notes"),
    "chart_alt_coverage": ("各地区累计覆盖率条形图", "Bar chart of cumulative coverage by locality"),
    "chart_alt_hist": ("得分变化直方图", "Histogram of score change"),
    "chart_alt_funnel": ("参与漏斗图", "Participation funnel"),
    "chart_alt_grades": ("等级分布图", "Grade distribution"),
    "chart_alt_trend": ("历年覆盖率图", "Coverage by year"),
    "locality_not_in_ranking": ("本地区本年度未参与排名。", "This locality is not ranked this year."),
}

# Column labels: keyed by mart/audit column (or a report-only column such as `status`).
_COLUMNS: dict[str, tuple[str, str]] = {
    "locality_code": ("地区代码", "Locality code"),
    "locality_name": ("地区", "Locality"),
    "year": ("年度", "Year"),
    "eligible_base": ("符合条件企业数", "Eligible enterprises"),
    "batch_pilots": ("本年度试点企业数", "Pilots this year"),
    "batch_eligible_pilots": ("其中符合条件", "of which eligible"),
    "batch_ratio": ("本批次比例", "Batch ratio"),
    "meets_batch_target": ("本批次达到1/3", "Batch ≥ 1/3"),
    "cumulative_eligible_pilots": ("累计覆盖企业数", "Eligible pilots so far"),
    "cumulative_coverage": ("累计覆盖率", "Cumulative coverage"),
    "target_coverage": ("目标覆盖率", "Target coverage"),
    "on_track": ("达到目标", "On track"),
    "non_eligible_pilots": ("非资质试点单位", "Non-eligible pilots"),
    "unmatched_pilots": ("未匹配名称", "Unmatched names"),
    "repeat_pilots": ("往年已试点", "Repeat pilots"),
    "list_submitted_on": ("名单报送日期", "List submitted on"),
    "list_deadline": ("截止日期", "Deadline"),
    "timeliness": ("报送情况", "Submission"),
    "cumulative_pilots": ("累计试点企业", "Cumulative pilots"),
    "assessed_initial": ("完成初始测评", "Initially assessed"),
    "filed": ("完成数据填报", "Filed"),
    "graded": ("完成分级评价", "Graded"),
    "initial_assessment_rate": ("初始测评率", "Initial assessment rate"),
    "filing_rate": ("填报率", "Filing rate"),
    "graded_rate": ("分级评价率", "Graded rate"),
    "pilots_with_delta": ("有得分变化的企业", "Pilots with a score change"),
    "mean_score_delta": ("平均得分提升", "Mean score gain"),
    "median_score_delta": ("得分提升中位数", "Median score gain"),
    "share_improved": ("提升企业占比", "Share improved"),
    "hvp_per_pilot": ("户均高价值发明专利", "High-value patents per pilot"),
    "hvp_growth": ("高价值发明专利增速（中位数）", "High-value patent growth (median)"),
    "effectiveness_index": ("成效指数", "Effectiveness index"),
    "rank": ("排名", "Rank"),
    "localities_with_lists": ("报送名单的地区数", "Localities with a list"),
    "localities_on_track": ("达到目标的地区数", "Localities on track"),
    "localities_meeting_batch_target": ("本批次达到1/3的地区数", "Localities with batch ≥ 1/3"),
    "uscc": ("统一社会信用代码", "USCC"),
    "name": ("企业名称", "Enterprise"),
    "first_pilot_year": ("首次试点年度", "First pilot year"),
    "cohort_year": ("首次试点年度", "First pilot year"),
    "baseline_score": ("初始得分", "Baseline score"),
    "latest_score": ("最新得分", "Latest score"),
    "score_delta": ("得分变化", "Score change"),
    "improved": ("得分提升", "Improved"),
    "latest_grade": ("最新等级", "Latest grade"),
    "eligible": ("符合条件", "Eligible"),
    "piloted": ("已试点", "Piloted"),
    "assessed_initial_flag": ("已初始测评", "Initially assessed"),
    "filed_flag": ("已填报", "Filed"),
    "graded_flag": ("已分级评价", "Graded"),
    "action": ("待办事项", "Action"),
    "check": ("检查项", "Check"),
    "table": ("数据表", "Table"),
    "severity": ("级别", "Severity"),
    "passed": ("通过", "Passed"),
    "observed_value": ("观测值", "Observed"),
    "threshold": ("阈值", "Threshold"),
    "message": ("说明", "Message"),
    "checked_at": ("检查时间", "Checked at"),
    "failing_sql": ("问题行查询", "Query for failing rows"),
    "source": ("来源", "Source"),
    "file": ("文件", "File"),
    "path": ("文件路径", "Path"),
    "reason": ("原因", "Reason"),
    "rows": ("行数", "Rows"),
    "column": ("字段", "Column"),
    "row_number": ("行号", "Row"),
    "status": ("状态", "Status"),
    "loaded_at": ("载入时间", "Loaded at"),
    "rows_read": ("读取行数", "Rows read"),
    "rows_loaded": ("载入行数", "Rows loaded"),
    "rows_quarantined": ("隔离行数", "Rows quarantined"),
    "content_hash": ("内容哈希", "Content hash"),
    "figure": ("指标", "Figure"),
    "value": ("数值", "Value"),
    "then": ("上次", "Then"),
    "now": ("本次", "Now"),
    "changed": ("是否变化", "Changed"),
    "build_id": ("构建编号", "Build id"),
    "run_id": ("运行编号", "Run id"),
    "as_of": ("数据截至", "Data as of"),
    "started_at": ("开始时间", "Started"),
    "finished_at": ("完成时间", "Finished"),
    "item": ("项目", "Item"),
}

_SEVERITY = {"block": ("阻断", "block"), "warn": ("预警", "warn")}
_SOURCE = {
    "registers": ("资质名录", "registers"),
    "pilots": ("试点名单", "pilot lists"),
    "assessments": ("测评结果", "assessments"),
    "filings": ("年度数据", "annual filings"),
}
_LOAD_STATUS = {
    "loaded": ("已载入", "loaded"),
    "duplicate": ("重复", "duplicate"),
    "superseded": ("已被替换", "superseded"),
    "rejected": ("已拒收", "rejected"),
}

SHEETS: dict[str, tuple[str, str]] = {
    # Excel sheet names: at most 31 characters, none of []:*?/\
    "key_figures": ("关键指标", "Key figures"),
    "coverage": ("覆盖率", "Coverage"),
    "participation": ("参与漏斗", "Participation"),
    "improvement": ("得分提升", "Improvement"),
    "effectiveness": ("成效排名", "Effectiveness"),
    "timeliness": ("名单报送时效", "List timeliness"),
    "checks": ("数据质量检查", "Quality checks"),
    "quarantine": ("隔离行", "Quarantine"),
    "rejected": ("拒收文件", "Rejected files"),
    "actions": ("滞后企业", "Behind schedule"),
    "changes": ("变化", "Changes"),
    "build": ("构建信息", "Build"),
}


def _pick(pair: tuple[str, str], lang: str) -> str:
    if lang not in LANGS:
        raise ValueError(f"unknown report language {lang!r}; expected one of {LANGS}")
    return pair[LANGS.index(lang)]


def text(key: str, lang: str, **fields: object) -> str:
    """The sentence or label `key` in `lang`, with `{field}` placeholders filled."""
    value = _pick(_TEXT[key], lang)
    return value.format(**fields) if fields else value


def column(name: str, lang: str) -> str:
    """The header of column `name` (mart column names, plus a few report-only ones)."""
    return _pick(_COLUMNS[name], lang)


def sheet(key: str, lang: str) -> str:
    return _pick(SHEETS[key], lang)


def severity(value: str | None, lang: str) -> str:
    return _pick(_SEVERITY[value], lang) if value in _SEVERITY else (value or "")


def source(value: str | None, lang: str) -> str:
    return _pick(_SOURCE[value], lang) if value in _SOURCE else (value or "")


def load_status(value: str | None, lang: str) -> str:
    return _pick(_LOAD_STATUS[value], lang) if value in _LOAD_STATUS else (value or "")


def grade(value: int | None, lang: str) -> str:
    if value is None:
        return text("none_value", lang)
    return f"{value} {text(f'grade_{int(value)}', lang)}" if 1 <= int(value) <= 5 else str(value)


@lru_cache(maxsize=1)
def _indicator_names() -> dict[str, tuple[str, str]]:
    import csv

    with INDICATORS_CSV.open(encoding="utf-8") as fh:
        return {r["indicator"]: (r["name_zh"], r["name_en"]) for r in csv.DictReader(fh)}


def indicator(name: str, lang: str) -> str:
    """A filing indicator's name, from the indicator seed (the one list of them)."""
    return _pick(_indicator_names()[name], lang)


def catalogue_keys() -> dict[str, tuple[str, str]]:
    """Every entry, for tests that check both languages are filled in."""
    return {**_TEXT, **{f"column:{k}": v for k, v in _COLUMNS.items()}, **{f"sheet:{k}": v for k, v in SHEETS.items()}}
