-- Where each enterprise of a locality stands in year Y, for the per-locality cards: one row per
-- locality, year and enterprise that is in E(L,Y) or in L's pilot cohort (lists with year <= Y).
-- eligible: in E(L,Y) (int_eligible_enterprise_years); piloted: in L's cohort; assessed_initial,
-- filed, graded: the funnel facts of int_pilot_cohort_years (NULL when not piloted by L).
-- Unresolved pilots appear once per normalised name, without USCC.
with eligible as (
    select locality_code, year, uscc from {{ ref('int_eligible_enterprise_years') }}
),

cohort as (
    select * from {{ ref('int_pilot_cohort_years') }}
),

keys as (
    select locality_code, year, uscc as pilot_key from eligible
    union
    select locality_code, year, pilot_key from cohort
),

enterprises as (
    select uscc, enterprise_name, locality_code from {{ ref('dim_enterprise') }}
)

select
    keys.locality_code,
    keys.year,
    keys.pilot_key,
    coalesce(cohort.uscc, eligible.uscc)                       as uscc,
    coalesce(enterprises.enterprise_name, cohort.pilot_name)   as name,
    enterprises.locality_code                                  as register_locality_code,
    eligible.uscc is not null                                  as eligible,
    cohort.pilot_key is not null                               as piloted,
    coalesce(cohort.is_unresolved, false)                      as unresolved,
    cohort.first_list_year                                     as first_pilot_year,
    cohort.assessed_initial,
    cohort.filed,
    cohort.graded,
    -- behind schedule: the action lists of the cards and the workbook read this, never re-derive it
    (eligible.uscc is not null and cohort.pilot_key is null)
        or (cohort.pilot_key is not null
            and (not coalesce(cohort.assessed_initial, false) or not coalesce(cohort.filed, false))) as action_needed
from keys
left join eligible
    on  eligible.locality_code = keys.locality_code
    and eligible.year = keys.year
    and eligible.uscc = keys.pilot_key
left join cohort
    on  cohort.locality_code = keys.locality_code
    and cohort.year = keys.year
    and cohort.pilot_key = keys.pilot_key
left join enterprises
    on enterprises.uscc = coalesce(cohort.uscc, eligible.uscc)
order by keys.locality_code, keys.year, keys.pilot_key
