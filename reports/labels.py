"""The one label catalogue of the reports: every word a reader sees in the HTML reports and the
XLSX workbook comes from here, in Chinese (the default) and English.

Keys are stable English identifiers. Column headers come from the project catalogue (the label of
each warehouse column, stated once in catalogue/columns.yml), so a header in the workbook, the same
column in the HTML and the dbt docs read the same; only the few report-only columns are here. Coded
values (severity, source, load status, grade) are labelled from the catalogue's vocabularies.
"""
from __future__ import annotations

from functools import lru_cache

from pilotdw import catalogue
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
    "sec_effect": ("试点效果", "The pilot's effect"),
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
    # effectiveness
    "formula": ("成效指数计算公式", "How the effectiveness index is computed"),
    "formula_missing": (
        "公式说明见项目文档 docs/metrics.md。",
        "The formula is documented in the project's docs/metrics.md.",
    ),
    "national_row": ("全国", "National"),
    # pilot effect (marts.pilot_effect)
    "effect_lead": (
        "试点是否带来了变化？本节比较试点企业与尚未试点的可比企业（同属符合条件企业、当年尚未纳入试点或从未试点）"
        "在试点前后的指标变化之差，即双重差分估计（Callaway & Sant'Anna 方法，适用于分批次纳入试点）。"
        "正值表示试点企业的增长多于可比企业。",
        "Did piloting change anything? This section compares how much pilot enterprises' indicators changed "
        "from before piloting with the change of comparable enterprises not (yet) piloted (eligible, and not "
        "in any list by that year): a difference-in-differences estimate for a staggered rollout "
        "(Callaway & Sant'Anna). A positive value means pilots grew more than comparable enterprises.",
    ),
    # sentences with placeholders for traced figures (filled by the template's tm()); {unit} is the
    # outcome's unit with its leading space, empty for a count in English
    "effect_more": (
        "试点企业{outcome}比尚未试点的可比企业平均多 {value}{unit}（差值的 95% 置信区间为 {low} 至 {high}{unit}）。",
        "Compared with comparable enterprises not yet piloted, pilot enterprises' {outcome} grew on average by "
        "{value}{unit} more (95% confidence interval of the difference: {low} to {high}).",
    ),
    "effect_less": (
        "试点企业{outcome}比尚未试点的可比企业平均少 {value}{unit}（差值的 95% 置信区间为 {low} 至 {high}{unit}）。",
        "Compared with comparable enterprises not yet piloted, pilot enterprises' {outcome} grew on average by "
        "{value}{unit} less (95% confidence interval of the difference: {low} to {high}).",
    ),
    "effect_same": (
        "试点企业{outcome}与尚未试点的可比企业平均相差 {value}{unit}（差值的 95% 置信区间为 {low} 至 {high}{unit}）。",
        "Compared with comparable enterprises not yet piloted, pilot enterprises' {outcome} grew on average by "
        "the same amount, a difference of {value}{unit} (95% confidence interval: {low} to {high}).",
    ),
    "effect_details": (
        "p = {p}；试点企业 {treated} 家，可比企业 {comparison} 家；试点企业基期均值 {baseline}{unit}。",
        "p = {p}; {treated} pilot and {comparison} comparison enterprises; pilots' base-year mean {baseline}{unit}.",
    ),
    "effect_pre_trend": ("试点前趋势检验 p = {p}。", "Pre-trend test p = {p}."),
    "effect_zero_in_ci": (
        "区间包含 0：这一差异在统计上与零无法区分，不能据此认定试点带来了变化。",
        "The interval includes 0: the difference is not statistically distinguishable from zero, so it does not "
        "show that piloting changed this indicator.",
    ),
    "effect_zero_out_ci": (
        "区间不包含 0：差异在 5% 水平上显著。",
        "The interval excludes 0: the difference is statistically significant at the 5% level.",
    ),
    "effect_excluded": (
        "另有 {n} 家试点企业不在任何年度的符合条件企业名录中，没有可比企业，未纳入估计。",
        "{n} pilot enterprises outside every year's eligible base have no comparable enterprises and are left out.",
    ),
    "effect_warning": (
        "注意：试点前各期的差异不全为零（试点前趋势检验 p = {p}，低于 0.05），试点企业与可比企业在试点前的走势可能就不同，"
        "上述估计可能高估或低估试点效果，请结合下图试点前各点审慎解读。",
        "Caution: the differences before piloting are not all zero (pre-trend test p = {p}, below 0.05). Pilots "
        "and comparison enterprises may already have been on different paths, so the estimate may over- or "
        "understate the effect; read it with the pre-period points of the chart below.",
    ),
    "effect_insufficient": ("数据不足", "Insufficient data"),
    "effect_insufficient_all": ("{outcomes}均数据不足", "Insufficient data for {outcomes}"),
    "list_sep": ("、", ", "),
    "effect_insufficient_national": (
        "全国数据不足，无法估计：{reason}",
        "Not enough data for a national estimate: {reason}",
    ),
    "effect_reason_no_treated": ("没有有填报数据的试点企业", "no pilot enterprise with filings"),
    "effect_reason_no_comparison": (
        "没有尚未试点的可比企业（试点企业 {treated} 家）",
        "no comparable enterprise not yet piloted ({treated} pilots)",
    ),
    "effect_reason_few_treated": (
        "试点企业仅 {treated} 家，少于 {min} 家",
        "only {treated} pilot enterprises, fewer than {min}",
    ),
    "effect_reason_few_comparison": (
        "可比企业仅 {comparison} 家，少于 {min} 家",
        "only {comparison} comparison enterprises, fewer than {min}",
    ),
    "effect_reason_few_both": (
        "试点企业 {treated} 家、可比企业 {comparison} 家，均少于 {min} 家",
        "{treated} pilot and {comparison} comparison enterprises, both fewer than {min}",
    ),
    "effect_reason_no_cell": (
        "没有任何一个试点年度同时有 {min} 家以上试点企业和可比企业（合计试点 {treated} 家、可比 {comparison} 家）",
        "no single year has {min} or more pilot and comparison enterprises at once "
        "({treated} pilot and {comparison} comparison enterprises over all years)",
    ),
    "effect_reason_counts": (
        "样本过小（试点企业 {treated} 家、可比企业 {comparison} 家）",
        "sample too small ({treated} pilot and {comparison} comparison enterprises)",
    ),
    "effect_chart_caption": (
        "横轴为相对首次试点年度的年数（0 为试点当年），圆点为估计值，竖线为 95% 置信区间；灰色为试点前各期"
        "（安慰剂检验，应接近 0），蓝色为试点后各期；竖虚线标出试点开始。",
        "Years since the first pilot year (0 = the pilot year); dots are estimates, whiskers 95% intervals; grey "
        "points are the pre-pilot periods (placebo estimates, expected near 0), blue the periods after; the "
        "dashed line marks the start of piloting.",
    ),
    "effect_axis": ("相对试点年度（年）", "Years relative to the first pilot year"),
    "effect_pilot_start": ("试点开始", "Piloting starts"),
    "effect_no_events": ("没有逐年估计值。", "No estimates by event time."),
    "effect_event_table": ("逐年估计值", "Estimates by event time"),
    "effect_event_time": ("相对试点年度", "Event time"),
    "effect_localities": ("各地区试点效果", "The pilot's effect by locality"),
    "effect_localities_lead": (
        "各地区自身试点企业与本地区可比企业相比的总体估计值（方括号内为 95% 置信区间）。"
        "一个地区至少有一个试点年度同时有 {min} 家以上试点企业和可比企业时才给出估计，否则标为“数据不足”并说明原因；"
        "有估计值的地区列在前面；区间不包含 0 的估计值加粗（绿色为多于可比企业，红色为少于）。",
        "Each locality's overall estimate, its pilots against its own comparable enterprises (95% interval in "
        "brackets). A locality is estimated only when some pilot year has {min} or more pilot and comparison "
        "enterprises at once; otherwise it is marked insufficient data, with the reason. Localities with an "
        "estimate come first; an estimate whose interval excludes 0 is bold (green above, red below the "
        "comparison enterprises).",
    ),
    "effect_significant": ("区间不含 0", "interval excludes 0"),
    "effect_missing": (
        "仓库中尚无试点效果表（marts.pilot_effect），本节暂缺。",
        "The warehouse has no pilot-effect table (marts.pilot_effect) yet; this section is empty.",
    ),
    "effect_card_lead": (
        "本地区试点企业与本地区尚未试点的可比企业相比的估计值（方法同全国报告“试点效果”一节）。",
        "This locality's pilots against its own comparable enterprises not yet piloted (method as in the "
        "national report's section on the pilot's effect).",
    ),
    "chart_alt_effect": ("{outcome}试点效果事件研究图", "Event-study chart of the effect on {outcome}"),
    "in_parens": ("（{text}）", " ({text})"),
    "agg_overall": ("总体", "overall"),
    "agg_event": ("按相对年度", "by event time"),
    "agg_cohort": ("按试点批次", "by cohort"),
    "agg_cell": ("批次×年度", "cohort × year"),
    "effect_status_estimated": ("已估计", "estimated"),
    "effect_status_insufficient_data": ("数据不足", "insufficient data"),
    "small_sample": ("样本不足", "Small sample"),
    "small_sample_note": (
        "灰色显示的成效指数：有得分变化的试点企业少于10家，样本不足，指数仅供参考（仍参与排名）。",
        "A greyed index rests on fewer than 10 pilots with a score change (small sample): read it with care; "
        "it is still ranked.",
    ),
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

# The grade names (grade_1 … grade_5) are the catalogue's grade vocabulary.
_TEXT.update({f"grade_{t.code}": (t.label_zh, t.label_en) for t in catalogue.vocabulary("grade")})

# Headers of report-only columns: no warehouse column has these names (every other header is the
# catalogue's label of the column).
_REPORT_COLUMNS: dict[str, tuple[str, str]] = {
    "timeliness": ("报送情况", "Submission"),
    "assessed_initial_flag": ("已初始测评", "Initially assessed"),
    "filed_flag": ("已填报", "Filed"),
    "graded_flag": ("已分级评价", "Graded"),
    "action": ("待办事项", "Action"),
    "rows": ("行数", "Rows"),
    "figure": ("指标", "Figure"),
    "then": ("上次", "Then"),
    "now": ("本次", "Now"),
    "changed": ("是否变化", "Changed"),
    "item": ("项目", "Item"),
    # marts.pilot_effect
    "scope_code": ("范围代码", "Scope code"),
    "outcome": ("结果指标", "Outcome"),
    "outcome_name": ("指标名称", "Outcome name"),
    "unit": ("单位", "Unit"),
    "aggregation": ("汇总方式", "Aggregation"),
    "event_time": ("相对试点年度", "Event time"),
    "att": ("试点效果估计值", "Effect estimate (ATT)"),
    "se": ("标准误", "Standard error"),
    "ci_low": ("95%置信区间下限", "95% CI low"),
    "ci_high": ("95%置信区间上限", "95% CI high"),
    "p_value": ("p值", "p-value"),
    "baseline_mean": ("试点企业基期均值", "Pilots' base-year mean"),
    "n_treated": ("试点企业数", "Pilot enterprises"),
    "n_comparison": ("可比企业数", "Comparison enterprises"),
    "pre_trend_p": ("试点前趋势检验p值", "Pre-trend test p-value"),
    "excluded_pilots": ("未纳入估计的试点企业", "Pilots left out"),
    "effect_status": ("估计状态", "Estimation status"),
    "effect_reason": ("原因", "Reason"),
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
    "effect": ("试点效果", "Pilot effect"),
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
    """The header of column `name`: the catalogue's label of a warehouse column, or a report-only one."""
    if name in _REPORT_COLUMNS:
        return _pick(_REPORT_COLUMNS[name], lang)
    _pick(("", ""), lang)  # the same error for an unknown language
    try:
        return catalogue.label(name, lang)
    except KeyError:
        raise KeyError(f"no label for column {name!r}: add it to catalogue/columns.yml") from None


def sheet(key: str, lang: str) -> str:
    return _pick(SHEETS[key], lang)


def _term(vocabulary: str, value: str | None, lang: str) -> str:
    _pick(("", ""), lang)
    found = catalogue.term_label(vocabulary, value, lang) if value is not None else None
    return found if found is not None else (value or "")


def severity(value: str | None, lang: str) -> str:
    return _term("severity", value, lang)


def source(value: str | None, lang: str) -> str:
    return _term("source", value, lang)


def load_status(value: str | None, lang: str) -> str:
    return _term("load_status", value, lang)


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


@lru_cache(maxsize=1)
def _indicator_units() -> dict[str, str]:
    import csv

    with INDICATORS_CSV.open(encoding="utf-8") as fh:
        return {r["indicator"]: r.get("unit") or "" for r in csv.DictReader(fh)}


# The contract's units (indicator seed) as a reader of each language writes them.
_UNITS = {"件": ("件", ""), "万元": ("万元", "× CNY 10,000"), "人": ("人", "persons")}


def unit(value: str | None, lang: str) -> str:
    """A contract unit (件, 万元, 人) in `lang`; a count's unit is left out in English."""
    return _pick(_UNITS[value], lang) if value in _UNITS else (value or "")


def indicator_unit(name: str, lang: str) -> str:
    """A filing indicator's unit in `lang`, from the indicator seed."""
    return unit(_indicator_units()[name], lang)


def catalogue_keys() -> dict[str, tuple[str, str]]:
    """Every entry, for tests that check both languages are filled in."""
    columns = {**{k: (catalogue.label(k, "zh"), catalogue.label(k, "en")) for k in catalogue.fields()}, **_REPORT_COLUMNS}
    return {**_TEXT, **{f"column:{k}": v for k, v in columns.items()}, **{f"sheet:{k}": v for k, v in SHEETS.items()}}
