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
with coverage as (
    select * from "floor"."marts"."coverage_by_locality_year"
),

participation as (
    select * from "floor"."marts"."participation_by_locality_year"
),

cohort as (
    select locality_code, year, uscc
    from "floor"."intermediate"."int_pilot_cohort_years"
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
    inner join "floor"."marts"."enterprise_improvement" as improvement
        on improvement.uscc = cohort.uscc and improvement.year = cohort.year
),

pooled_outcomes as (
    select * from outcomes
    union all
    select
        '000000' as locality_code,
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
        median(score_delta)                                     as median_score_delta,
        sum(case when improved then 1 else 0 end)                       as improved_pilots,
        avg(case when filed then high_value_invention_patents end)      as hvp_per_pilot,
        median(high_value_invention_patents_yoy)                as hvp_growth
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
        '000000'                                   as locality_code,
        '全国 / national'                                                as locality_name,
        year,
        cast(sum(eligible_base) as bigint)                                               as eligible_base,
        cast(sum(cumulative_eligible_pilots) as bigint)                                  as cumulative_eligible_pilots,
        cast(sum(cumulative_pilots) as bigint)                                           as cumulative_pilots,
        cast(sum(filed) as bigint)                                                       as filed,
        (cast(sum(cumulative_eligible_pilots) as double precision) / nullif(sum(eligible_base), 0)) as cumulative_coverage,
        (cast(sum(filed) as double precision) / nullif(sum(cumulative_pilots), 0))                  as filing_rate
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
        cast(coalesce(outcome_stats.improved_pilots, 0) as bigint)                      as improved_pilots,
        (cast(outcome_stats.improved_pilots as double precision) / nullif(outcome_stats.pilots_with_delta, 0)) as share_improved,
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
        coalesce(cast(filing_rate as double precision), 0)                                         as component_filing,
        coalesce(cast(share_improved as double precision), 0)                                      as component_improved,
        coalesce(case
        when (0.5 + mean_score_delta / 20) is null then null
        when (0.5 + mean_score_delta / 20) < 0 then cast(0 as double precision)
        when (0.5 + mean_score_delta / 20) > 1 then cast(1 as double precision)
        else cast((0.5 + mean_score_delta / 20) as double precision)
    end, 0)         as component_score,
        coalesce(case
        when (0.5 + hvp_growth) is null then null
        when (0.5 + hvp_growth) < 0 then cast(0 as double precision)
        when (0.5 + hvp_growth) > 1 then cast(1 as double precision)
        else cast((0.5 + hvp_growth) as double precision)
    end, 0)                                      as component_hvp
    from combined
),

indexed as (
    select
        components.*,
        case
            when eligible_base = 0 and cumulative_pilots = 0 then null
            when eligible_base = 0 then 100.0 * (
                  15 * component_filing
                + 20 * component_improved
                + 20 * component_score
                + 15 * component_hvp
            ) / (15 + 20 + 20 + 15)
            else 100.0 * (
                  30 * component_coverage
                + 15 * component_filing
                + 20 * component_improved
                + 20 * component_score
                + 15 * component_hvp
            ) / (30 + 15 + 20 + 20 + 15)
        end as effectiveness_index
    from components
),

ranked as (
    select
        indexed.*,
        case
            when locality_code <> '000000' and effectiveness_index is not null
            then rank() over (
                partition by
                    year,
                    case when locality_code = '000000' or effectiveness_index is null
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
    cast(effectiveness_index as double precision)   as effectiveness_index,
    rank_in_year                                as rank,
    improved_pilots,
    cumulative_pilots,
    eligible_base,
    component_coverage,
    component_filing,
    component_improved,
    component_score,
    component_hvp
from ranked
order by year, locality_code