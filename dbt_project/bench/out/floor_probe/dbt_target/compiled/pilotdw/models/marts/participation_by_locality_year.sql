-- metrics.md "Participation funnel": one row per locality (all 37) and year; the cohort and its
-- funnel facts are int_pilot_cohort_years (unresolved rows once per normalised name).
with localities as (
    select locality_code, locality_name from "floor"."seeds"."localities"
),

years as (
    select year from "floor"."intermediate"."int_years"
),

funnel as (
    select
        locality_code,
        year,
        count(*)                                              as cumulative_pilots,
        sum(case when assessed_initial then 1 else 0 end)     as assessed_initial,
        sum(case when filed then 1 else 0 end)                as filed,
        sum(case when graded then 1 else 0 end)               as graded
    from "floor"."intermediate"."int_pilot_cohort_years"
    group by locality_code, year
),

counts as (
    select
        localities.locality_code,
        localities.locality_name,
        years.year,
        cast(coalesce(funnel.cumulative_pilots, 0) as bigint)   as cumulative_pilots,
        cast(coalesce(funnel.assessed_initial, 0) as bigint)    as assessed_initial,
        cast(coalesce(funnel.filed, 0) as bigint)               as filed,
        cast(coalesce(funnel.graded, 0) as bigint)              as graded
    from localities
    cross join years
    left join funnel
        on funnel.locality_code = localities.locality_code and funnel.year = years.year
)

select
    locality_code,
    locality_name,
    year,
    cumulative_pilots,
    assessed_initial,
    filed,
    graded,
    (cast(assessed_initial as double precision) / nullif(cumulative_pilots, 0))  as initial_assessment_rate,
    (cast(filed as double precision) / nullif(cumulative_pilots, 0))             as filing_rate,
    (cast(graded as double precision) / nullif(cumulative_pilots, 0))            as graded_rate
from counts
order by year, locality_code