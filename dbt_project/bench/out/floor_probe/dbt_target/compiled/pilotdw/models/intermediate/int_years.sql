-- The reporting years: P0 to the latest year with data, where "latest year with data" is the
-- greatest of the pilot-list years, filing data years and assessment years, never below P0.
-- (Register years are eligibility facts, not programme activity: they do not extend the range.)
with data_years as (
    select list_year as year from "floor"."staging"."stg_raw__pilots"
    union all
    select data_year as year from "floor"."intermediate"."int_filings_latest"
    union all
    select assessed_year as year from "floor"."intermediate"."int_assessments_ordered"
),

bounds as (
    select
        case
            when max(year) is null or max(year) < 2023 then 2023
            else max(year)
        end as latest_year
    from data_years
),

offsets as (
    
    select
        generate_series as generated_number
    from generate_series(1, 100)

)

select
    cast(2023 + offsets.generated_number - 1 as integer) as year,
    cast(2023 + offsets.generated_number - 1 <= 2025 as boolean) as is_programme_year
from offsets
cross join bounds
where 2023 + offsets.generated_number - 1 <= bounds.latest_year