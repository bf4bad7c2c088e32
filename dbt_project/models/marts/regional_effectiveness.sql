-- metrics.md "Regional effectiveness": one row per locality and year, plus the national row
-- locality_code '000000' aggregating all localities (counts summed, means and medians over the
-- pooled locality cohorts, ratios recomputed from the summed counts). The effectiveness_index
-- formula is defined here and only here (docs/metrics.md, "effectiveness_index"):
--   components in [0, 1]:
--     coverage  = cumulative_coverage                       (excluded when eligible_base = 0)
--     filing    = filing_rate                               (0 when missing)
--     improved  = share_improved                            (0 when missing)
--     score     = clamp(0.5 + mean_score_delta / 20, 0, 1)  (0 when missing)
--     hvp       = clamp(0.5 + hvp_growth, 0, 1)             (0 when missing)
--   effectiveness_index = 100 * sum(weight * component) / sum(weight over included components)
--   weights: coverage 0.30, filing 0.15, improved 0.20, score 0.20, hvp 0.15 (as points: 30, 15, 20, 20, 15);
--   NULL when the locality has neither eligible enterprises nor pilots (nothing to evaluate).
-- small_sample (metrics.md "Policy notes for the gates"): pilots_with_delta < var small_sample_below
-- (10). The index of such a locality rests on few score changes: still computed and ranked, the
-- reports grey it with "样本不足".
{#- weights in points of 100 (0.30 = 30): whole numbers keep e.g. an all-perfect locality at exactly 100 -#}
{%- set weights = {'coverage': 30, 'filing': 15, 'improved': 20, 'score': 20, 'hvp': 15} %}
{%- set score_delta_span = 20 %}
{%- set double = pilotdw.type_double() %}
with coverage as (
    select * from {{ ref('coverage_by_locality_year') }}
),

participation as (
    select * from {{ ref('participation_by_locality_year') }}
),

cohort as (
    select locality_code, year, uscc
    from {{ ref('int_pilot_cohort_years') }}
    where uscc is not null
),

outcomes as (
    select
        cohort.locality_code,
        cohort.year,
        improvement.score_delta,
        improvement.improved,
        improvement.filed,
        improvement.high_value_invention_patents,
        improvement.high_value_invention_patents_yoy
    from cohort
    inner join {{ ref('enterprise_improvement') }} as improvement
        on improvement.uscc = cohort.uscc and improvement.year = cohort.year
),

pooled_outcomes as (
    select * from outcomes
    union all
    select
        {{ national_locality_code() }} as locality_code,
        year,
        score_delta,
        improved,
        filed,
        high_value_invention_patents,
        high_value_invention_patents_yoy
    from outcomes
),

outcome_stats as (
    select
        locality_code,
        year,
        count(score_delta)                                              as pilots_with_delta,
        avg(score_delta)                                                as mean_score_delta,
        {{ median('score_delta') }}                                     as median_score_delta,
        sum(case when improved then 1 else 0 end)                       as improved_pilots,
        avg(case when filed then high_value_invention_patents end)      as hvp_per_pilot,
        {{ median('high_value_invention_patents_yoy') }}                as hvp_growth
    from pooled_outcomes
    group by locality_code, year
),

locality_rates as (
    select
        coverage.locality_code,
        coverage.locality_name,
        coverage.year,
        coverage.eligible_base,
        coverage.cumulative_eligible_pilots,
        participation.cumulative_pilots,
        participation.filed,
        coverage.cumulative_coverage,
        participation.filing_rate
    from coverage
    inner join participation
        on participation.locality_code = coverage.locality_code and participation.year = coverage.year
),

rates as (
    select * from locality_rates
    union all
    select
        {{ national_locality_code() }}                                   as locality_code,
        '全国 / national'                                                as locality_name,
        year,
        cast(sum(eligible_base) as {{ dbt.type_bigint() }})                                               as eligible_base,
        cast(sum(cumulative_eligible_pilots) as {{ dbt.type_bigint() }})                                  as cumulative_eligible_pilots,
        cast(sum(cumulative_pilots) as {{ dbt.type_bigint() }})                                           as cumulative_pilots,
        cast(sum(filed) as {{ dbt.type_bigint() }})                                                       as filed,
        {{ safe_ratio('sum(cumulative_eligible_pilots)', 'sum(eligible_base)') }} as cumulative_coverage,
        {{ safe_ratio('sum(filed)', 'sum(cumulative_pilots)') }}                  as filing_rate
    from locality_rates
    group by year
),

combined as (
    select
        rates.locality_code,
        rates.locality_name,
        rates.year,
        rates.eligible_base,
        rates.cumulative_pilots,
        coalesce(outcome_stats.pilots_with_delta, 0)                      as pilots_with_delta,
        outcome_stats.mean_score_delta,
        outcome_stats.median_score_delta,
        cast(coalesce(outcome_stats.improved_pilots, 0) as {{ dbt.type_bigint() }})                      as improved_pilots,
        {{ safe_ratio('outcome_stats.improved_pilots', 'outcome_stats.pilots_with_delta') }} as share_improved,
        rates.filing_rate,
        rates.cumulative_coverage,
        outcome_stats.hvp_per_pilot,
        outcome_stats.hvp_growth
    from rates
    left join outcome_stats
        on outcome_stats.locality_code = rates.locality_code and outcome_stats.year = rates.year
),

components as (
    select
        combined.*,
        case when eligible_base > 0 then cumulative_coverage end                              as component_coverage,
        coalesce(cast(filing_rate as {{ double }}), 0)                                         as component_filing,
        coalesce(cast(share_improved as {{ double }}), 0)                                      as component_improved,
        coalesce({{ clamp_unit('0.5 + mean_score_delta / ' ~ score_delta_span) }}, 0)         as component_score,
        coalesce({{ clamp_unit('0.5 + hvp_growth') }}, 0)                                      as component_hvp
    from combined
),

indexed as (
    select
        components.*,
        case
            when eligible_base = 0 and cumulative_pilots = 0 then null
            when eligible_base = 0 then 100.0 * (
                  {{ weights.filing }} * component_filing
                + {{ weights.improved }} * component_improved
                + {{ weights.score }} * component_score
                + {{ weights.hvp }} * component_hvp
            ) / ({{ weights.filing }} + {{ weights.improved }} + {{ weights.score }} + {{ weights.hvp }})
            else 100.0 * (
                  {{ weights.coverage }} * component_coverage
                + {{ weights.filing }} * component_filing
                + {{ weights.improved }} * component_improved
                + {{ weights.score }} * component_score
                + {{ weights.hvp }} * component_hvp
            ) / ({{ weights.coverage }} + {{ weights.filing }} + {{ weights.improved }} + {{ weights.score }} + {{ weights.hvp }})
        end as effectiveness_index
    from components
),

ranked as (
    select
        indexed.*,
        case
            when locality_code <> {{ national_locality_code() }} and effectiveness_index is not null
            then rank() over (
                partition by
                    year,
                    case when locality_code = {{ national_locality_code() }} or effectiveness_index is null
                         then 1 else 0 end
                order by effectiveness_index desc
            )
        end as rank_in_year
    from indexed
)

select
    locality_code,
    locality_name,
    year,
    pilots_with_delta,
    mean_score_delta,
    median_score_delta,
    share_improved,
    filing_rate,
    cumulative_coverage,
    hvp_per_pilot,
    hvp_growth,
    cast(effectiveness_index as {{ double }})   as effectiveness_index,
    rank_in_year                                as rank,
    improved_pilots,
    cumulative_pilots,
    eligible_base,
    component_coverage,
    component_filing,
    component_improved,
    component_score,
    component_hvp,
    pilots_with_delta < {{ var('small_sample_below') | int }}     as small_sample
from ranked
order by year, locality_code
