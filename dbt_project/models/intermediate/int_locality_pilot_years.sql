-- One row per locality, year and distinct pilot (pilot_key) in that locality's lists for the year,
-- all batches together: the unit every count of pilots uses. first_list_year is the pilot's first
-- year in any list of the same locality, so "cumulative pilots of L up to Y" is first_list_year <= Y
-- and a repeat pilot of (L, Y) is one with first_list_year < Y.
-- One pilot may stand on several rows of the year (several batches, or one name typed two ways:
-- `（太原）` and `(太原)` share a name_key). Its facts are aggregated over them; its name as written
-- (pilot_name, name_key) is taken from one row, the latest: last batch, then last row of the file,
-- so the display name is a documented choice and never a second identity.
with membership as (
    select * from {{ ref('int_pilot_membership') }}
),

named as (
    select
        locality_code,
        list_year,
        pilot_key,
        pilot_name,
        name_key,
        row_number() over (
            partition by locality_code, list_year, pilot_key
            order by batch desc, {{ binary_order('source_file') }} desc, {{ binary_order('sheet') }} desc nulls last, source_row_number desc
        ) as recency
    from membership
),

per_year as (
    select
        locality_code,
        list_year,
        pilot_key,
        max(uscc)                                                   as uscc,
        max(case when match_status in ('unmatched', 'ambiguous') then 1 else 0 end) = 1
                                                                    as is_unresolved,
        max(case when in_eligible_base then 1 else 0 end) = 1       as in_eligible_base,
        max(case when locality_mismatch then 1 else 0 end) = 1      as locality_mismatch,
        count(*)                                                    as list_rows
    from membership
    group by locality_code, list_year, pilot_key
)

select
    per_year.locality_code,
    per_year.list_year,
    per_year.pilot_key,
    per_year.uscc,
    named.name_key,
    named.pilot_name,
    per_year.is_unresolved,
    per_year.in_eligible_base,
    per_year.locality_mismatch,
    per_year.list_rows,
    min(per_year.list_year) over (
        partition by per_year.locality_code, per_year.pilot_key
    )                                                               as first_list_year
from per_year
inner join named
    on  named.locality_code = per_year.locality_code
    and named.list_year = per_year.list_year
    and named.pilot_key = per_year.pilot_key
    and named.recency = 1
