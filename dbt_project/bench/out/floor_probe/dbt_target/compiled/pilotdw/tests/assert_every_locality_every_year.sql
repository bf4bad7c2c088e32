-- metrics.md: every locality appears every year from P0 to the latest year with data, even with
-- no data. Returns each locality-year missing from a per-locality mart.
with expected as (
    select localities.locality_code, years.year
    from "floor"."marts"."dim_locality" as localities
    cross join "floor"."intermediate"."int_years" as years
),

present as (
    select 'coverage_by_locality_year' as mart, locality_code, year from "floor"."marts"."coverage_by_locality_year"
    union all
    select 'participation_by_locality_year', locality_code, year from "floor"."marts"."participation_by_locality_year"
    union all
    select 'regional_effectiveness', locality_code, year from "floor"."marts"."regional_effectiveness"
),

marts as (
    select distinct mart from present
)

select marts.mart, expected.locality_code, expected.year
from marts
cross join expected
left join present
    on  present.mart = marts.mart
    and present.locality_code = expected.locality_code
    and present.year = expected.year
where present.locality_code is null