-- The cohort of metrics.md (participation funnel, regional effectiveness): for each locality L and
-- reporting year Y, the distinct pilots of L's lists with list year <= Y, with the funnel facts of Y:
--   assessed_initial: an initial assessment dated on or before 31 Dec of Y
--   filed:            a filing for data year Y
--   graded:           a graded evaluation dated in Y or earlier
-- Unresolved pilots (no USCC) are members but can never be assessed or file: FALSE.
-- A member is one pilot_key, whatever its rows say in different years: its per-year attributes
-- (the name as written, which may differ in bracket width or spacing between years) are taken from
-- its latest list year <= Y, so they can never split one pilot into two members.
with pilot_years as (
    select * from {{ ref('int_locality_pilot_years') }}
),

years as (
    select year from {{ ref('int_years') }}
),

-- A member's attributes are those of its latest list year <= Y: (locality, list year, pilot) is
-- unique in int_locality_pilot_years, so arg_max picks exactly one row. Grouped rather than a
-- row_number() window because DuckDB spills a grouped aggregate to disk; at 40× national scale the
-- window needed more than the build's 2.5 GB memory limit and failed the run (issue 7). The struct
-- keeps NULL fields (an unresolved pilot's uscc), which arg_max of a bare NULL value would skip.
members as (
    select
        pilot_years.locality_code,
        years.year,
        pilot_years.pilot_key,
        {{ latest_row([
            ('uscc', 'pilot_years.uscc'),
            ('pilot_name', 'pilot_years.pilot_name'),
            ('is_unresolved', 'pilot_years.is_unresolved'),
            ('first_list_year', 'pilot_years.first_list_year'),
        ], 'pilot_years.list_year', 'latest') }}
    from pilot_years
    inner join years
        on pilot_years.list_year <= years.year
    group by pilot_years.locality_code, years.year, pilot_years.pilot_key
),

first_assessment_years as (
    select
        uscc,
        min(case when kind = 'initial' then assessed_year end) as first_initial_year,
        min(case when kind = 'graded' then assessed_year end)  as first_graded_year
    from {{ ref('int_assessments_ordered') }}
    group by uscc
),

filings as (
    select uscc, data_year from {{ ref('int_filings_latest') }}
)

select
    members.locality_code,
    members.year,
    members.pilot_key,
    members.{{ latest_row_field('latest', 'uscc') }} as uscc,
    members.{{ latest_row_field('latest', 'pilot_name') }} as pilot_name,
    members.{{ latest_row_field('latest', 'is_unresolved') }} as is_unresolved,
    members.{{ latest_row_field('latest', 'first_list_year') }} as first_list_year,
    coalesce(first_assessment_years.first_initial_year <= members.year, false) as assessed_initial,
    filings.uscc is not null                                                   as filed,
    coalesce(first_assessment_years.first_graded_year <= members.year, false)  as graded
from members
left join first_assessment_years
    on first_assessment_years.uscc = members.{{ latest_row_field('latest', 'uscc') }}
left join filings
    on filings.uscc = members.{{ latest_row_field('latest', 'uscc') }} and filings.data_year = members.year
