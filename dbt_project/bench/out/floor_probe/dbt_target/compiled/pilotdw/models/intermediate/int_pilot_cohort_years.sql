-- The cohort of metrics.md (participation funnel, regional effectiveness): for each locality L and
-- reporting year Y, the distinct pilots of L's lists with list year <= Y, with the funnel facts of Y:
--   assessed_initial: an initial assessment dated on or before 31 Dec of Y
--   filed:            a filing for data year Y
--   graded:           a graded evaluation dated in Y or earlier
-- Unresolved pilots (no USCC) are members but can never be assessed or file: FALSE.
with members as (
    select distinct locality_code, pilot_key, uscc, pilot_name, is_unresolved, first_list_year
    from "floor"."intermediate"."int_locality_pilot_years"
),

years as (
    select year from "floor"."intermediate"."int_years"
),

first_assessment_years as (
    select
        uscc,
        min(case when kind = 'initial' then assessed_year end) as first_initial_year,
        min(case when kind = 'graded' then assessed_year end)  as first_graded_year
    from "floor"."intermediate"."int_assessments_ordered"
    group by uscc
),

filings as (
    select uscc, data_year from "floor"."intermediate"."int_filings_latest"
)

select
    members.locality_code,
    years.year,
    members.pilot_key,
    members.uscc,
    members.pilot_name,
    members.is_unresolved,
    members.first_list_year,
    coalesce(first_assessment_years.first_initial_year <= years.year, false)  as assessed_initial,
    filings.uscc is not null                                                  as filed,
    coalesce(first_assessment_years.first_graded_year <= years.year, false)   as graded
from members
inner join years
    on members.first_list_year <= years.year
left join first_assessment_years
    on first_assessment_years.uscc = members.uscc
left join filings
    on filings.uscc = members.uscc and filings.data_year = years.year