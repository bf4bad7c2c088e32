-- One row per locality, year and distinct pilot (pilot_key) in that locality's lists for the year,
-- all batches together: the unit every count of pilots uses. first_list_year is the pilot's first
-- year in any list of the same locality, so "cumulative pilots of L up to Y" is first_list_year <= Y
-- and a repeat pilot of (L, Y) is one with first_list_year < Y.
with membership as (
    select * from {{ ref('int_pilot_membership') }}
),

per_year as (
    select
        locality_code,
        list_year,
        pilot_key,
        max(uscc)                                                   as uscc,
        max(name_key)                                               as name_key,
        max(pilot_name)                                             as pilot_name,
        max(case when match_status in ('unmatched', 'ambiguous') then 1 else 0 end) = 1
                                                                    as is_unresolved,
        max(case when in_eligible_base then 1 else 0 end) = 1       as in_eligible_base,
        max(case when locality_mismatch then 1 else 0 end) = 1      as locality_mismatch,
        count(*)                                                    as list_rows
    from membership
    group by locality_code, list_year, pilot_key
)

select
    per_year.*,
    min(list_year) over (partition by locality_code, pilot_key) as first_list_year
from per_year
