-- One row per enterprise known by USCC: every register enterprise, plus enterprises that appear
-- on pilot lists with a USCC no register holds (institutes, hospitals, provincial qualifications…).
-- locality_code is the register locality (int_enterprises); NULL for enterprises outside the registers.
with enterprises as (
    select * from {{ ref('int_enterprises') }}
),

spells as (
    select * from {{ ref('int_qualification_spells') }}
),

qualifications as (
    select
        uscc,
        max(case when qualification = 'ip_demonstration' then 1 else 0 end) = 1  as has_ip_demonstration,
        max(case when qualification = 'ip_advantage' then 1 else 0 end) = 1      as has_ip_advantage,
        max(case when qualification = 'little_giant' then 1 else 0 end) = 1      as has_little_giant
    from spells
    group by uscc
),

membership as (
    select * from {{ ref('int_pilot_membership') }} where uscc is not null
),

pilot_summary as (
    select
        uscc,
        min(list_year)                  as first_pilot_year,
        count(distinct locality_code)   as piloting_localities
    from membership
    group by uscc
),

pilot_only_names as (
    select uscc, pilot_name, name_key
    from (
        select
            uscc,
            pilot_name,
            name_key,
            row_number() over (
                partition by uscc
                order by list_year desc, {{ binary_order('source_file') }} desc, source_row_number desc
            ) as recency
        from membership
        where uscc not in (select uscc from enterprises)
    ) as named
    where recency = 1
),

all_enterprises as (
    select
        uscc,
        enterprise_name,
        name_key,
        locality_code,
        true                      as in_register,
        has_conflicting_localities,
        first_recognized_year
    from enterprises
    union all
    select
        uscc,
        pilot_name                as enterprise_name,
        name_key,
        null                      as locality_code,
        false                     as in_register,
        false                     as has_conflicting_localities,
        null                      as first_recognized_year
    from pilot_only_names
)

select
    all_enterprises.uscc,
    all_enterprises.enterprise_name,
    all_enterprises.name_key,
    all_enterprises.locality_code,
    all_enterprises.in_register,
    all_enterprises.has_conflicting_localities,
    all_enterprises.first_recognized_year,
    coalesce(qualifications.has_ip_demonstration, false)  as has_ip_demonstration,
    coalesce(qualifications.has_ip_advantage, false)      as has_ip_advantage,
    coalesce(qualifications.has_little_giant, false)      as has_little_giant,
    pilot_summary.uscc is not null                        as is_pilot,
    pilot_summary.first_pilot_year,
    coalesce(pilot_summary.piloting_localities, 0)        as piloting_localities
from all_enterprises
left join qualifications
    on qualifications.uscc = all_enterprises.uscc
left join pilot_summary
    on pilot_summary.uscc = all_enterprises.uscc
