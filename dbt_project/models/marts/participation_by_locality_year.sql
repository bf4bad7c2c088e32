-- metrics.md "Participation funnel": one row per locality (all 37) and year; the cohort and its
-- funnel facts are int_pilot_cohort_years (unresolved rows once per normalised name).
-- filing_deadline (macro filing_deadline: 30 June of Y + 1) is when Y's filings are due: the
-- filing-rate gate judges a year only once it has passed.
with localities as (
    select locality_code, locality_name from {{ ref('localities') }}
),

years as (
    select year from {{ ref('int_years') }}
),

funnel as (
    select
        locality_code,
        year,
        count(*)                                              as cumulative_pilots,
        sum(case when assessed_initial then 1 else 0 end)     as assessed_initial,
        sum(case when filed then 1 else 0 end)                as filed,
        sum(case when graded then 1 else 0 end)               as graded
    from {{ ref('int_pilot_cohort_years') }}
    group by locality_code, year
),

counts as (
    select
        localities.locality_code,
        localities.locality_name,
        years.year,
        cast(coalesce(funnel.cumulative_pilots, 0) as {{ dbt.type_bigint() }})   as cumulative_pilots,
        cast(coalesce(funnel.assessed_initial, 0) as {{ dbt.type_bigint() }})    as assessed_initial,
        cast(coalesce(funnel.filed, 0) as {{ dbt.type_bigint() }})               as filed,
        cast(coalesce(funnel.graded, 0) as {{ dbt.type_bigint() }})              as graded
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
    {{ safe_ratio('assessed_initial', 'cumulative_pilots') }}  as initial_assessment_rate,
    {{ safe_ratio('filed', 'cumulative_pilots') }}             as filing_rate,
    {{ safe_ratio('graded', 'cumulative_pilots') }}            as graded_rate,
    {{ filing_deadline('year') }}                              as filing_deadline
from counts
order by year, locality_code
