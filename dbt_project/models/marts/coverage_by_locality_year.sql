-- metrics.md "Eligibility and coverage": one row per locality (all 37) and reporting year.
-- Counts of pilots use pilot_key (int_pilot_membership); E(L,Y) is int_eligible_enterprise_years.
-- The 1/3 and on-track comparisons are made on integers so no rounding can flip them.
-- list_deadline / list_on_time are the one place the list-submission rule is applied (macro
-- list_deadline for the date); the pilot_list_deadline gate, the reports and analysts read them.
{%- set p0 = var('p0') | int %}
{%- set p1 = var('p1') | int %}
{%- set programme_years = p1 - p0 + 1 %}
with localities as (
    select locality_code, locality_name from {{ ref('localities') }}
),

years as (
    select
        year,
        {{ list_deadline('year') }} as list_deadline
    from {{ ref('int_years') }}
),

eligible as (
    select * from {{ ref('int_eligible_enterprise_years') }}
),

pilot_years as (
    select * from {{ ref('int_locality_pilot_years') }}
),

eligible_base as (
    select locality_code, year, count(*) as eligible_base
    from eligible
    group by locality_code, year
),

batch as (
    select
        locality_code,
        list_year                                                        as year,
        count(*)                                                         as batch_pilots,
        sum(case when in_eligible_base then 1 else 0 end)                as batch_eligible_pilots,
        sum(case when is_unresolved then 1 else 0 end)                   as unmatched_pilots,
        sum(case when first_list_year < list_year then 1 else 0 end)     as repeat_pilots,
        sum(case when locality_mismatch then 1 else 0 end)              as locality_mismatch_pilots
    from pilot_years
    group by locality_code, list_year
),

-- A locality-year's list is late only if every current list row of the year is dated after the
-- deadline: one list (batch) in time is enough, and an undated list gets the benefit of the doubt
-- (a list's rows share its submitted_on, so judging rows is judging lists).
lists as (
    select
        membership.locality_code,
        membership.list_year                                           as year,
        count(distinct membership.batch)                               as list_batches,
        max(membership.submitted_on)                                   as list_submitted_on,
        max(case
                when membership.submitted_on is null
                  or membership.submitted_on <= years.list_deadline then 1
                else 0
            end) = 1                                                   as list_on_time
    from {{ ref('int_pilot_membership') }} as membership
    inner join years
        on years.year = membership.list_year
    group by membership.locality_code, membership.list_year
),

first_piloted as (
    select distinct locality_code, uscc, first_list_year
    from pilot_years
    where uscc is not null
),

cumulative as (
    select
        eligible.locality_code,
        eligible.year,
        count(*) as cumulative_eligible_pilots
    from eligible
    inner join first_piloted
        on  first_piloted.locality_code = eligible.locality_code
        and first_piloted.uscc = eligible.uscc
        and first_piloted.first_list_year <= eligible.year
    group by eligible.locality_code, eligible.year
),

-- eligible_revoked: enterprises of E(L,Y−1) that are not in E(L,Y) and had a qualification
-- (recognised by Y−1) revoked in Y: the part of a fall of eligible_base that revocations explain,
-- which the gate eligible_base_drop reads (it judges; this is the one statement of the count).
revoked_leavers as (
    select before.locality_code, before.year + 1 as year, count(*) as eligible_revoked
    from eligible as before
    left join eligible as after
        on  after.locality_code = before.locality_code
        and after.year = before.year + 1
        and after.uscc = before.uscc
    where after.uscc is null
      and exists (
          select 1 from {{ ref('int_qualification_spells') }} as spells
          where spells.uscc = before.uscc
            and spells.revoked_year = before.year + 1
            and spells.recognized_year <= before.year
      )
    group by before.locality_code, before.year
),

counts as (
    select
        localities.locality_code,
        localities.locality_name,
        years.year,
        cast(coalesce(eligible_base.eligible_base, 0) as {{ dbt.type_bigint() }})               as eligible_base,
        cast(coalesce(revoked_leavers.eligible_revoked, 0) as {{ dbt.type_bigint() }})          as eligible_revoked,
        cast(coalesce(batch.batch_pilots, 0) as {{ dbt.type_bigint() }})                        as batch_pilots,
        cast(coalesce(batch.batch_eligible_pilots, 0) as {{ dbt.type_bigint() }})               as batch_eligible_pilots,
        cast(coalesce(cumulative.cumulative_eligible_pilots, 0) as {{ dbt.type_bigint() }})     as cumulative_eligible_pilots,
        cast(coalesce(batch.unmatched_pilots, 0) as {{ dbt.type_bigint() }})                    as unmatched_pilots,
        cast(coalesce(batch.repeat_pilots, 0) as {{ dbt.type_bigint() }})                       as repeat_pilots,
        cast(coalesce(batch.locality_mismatch_pilots, 0) as {{ dbt.type_bigint() }})            as locality_mismatch_pilots,
        cast(coalesce(lists.list_batches, 0) as {{ dbt.type_bigint() }})                        as list_batches,
        lists.list_submitted_on,
        years.list_deadline,
        lists.list_on_time,
        -- years elapsed in the programme, capped at its length: the numerator of target_coverage
        case
            when years.year - {{ p0 }} + 1 < {{ programme_years }} then years.year - {{ p0 }} + 1
            else {{ programme_years }}
        end                                                    as target_years
    from localities
    cross join years
    left join eligible_base
        on eligible_base.locality_code = localities.locality_code and eligible_base.year = years.year
    left join revoked_leavers
        on revoked_leavers.locality_code = localities.locality_code and revoked_leavers.year = years.year
    left join batch
        on batch.locality_code = localities.locality_code and batch.year = years.year
    left join cumulative
        on cumulative.locality_code = localities.locality_code and cumulative.year = years.year
    left join lists
        on lists.locality_code = localities.locality_code and lists.year = years.year
),

coverage as (
select
    locality_code,
    locality_name,
    year,
    eligible_base,
    batch_pilots,
    batch_eligible_pilots,
    {{ safe_ratio('batch_eligible_pilots', 'eligible_base') }}            as batch_ratio,
    case
        when eligible_base > 0 then 3 * batch_eligible_pilots >= eligible_base
    end                                                                    as meets_batch_target,
    cumulative_eligible_pilots,
    {{ safe_ratio('cumulative_eligible_pilots', 'eligible_base') }}       as cumulative_coverage,
    {{ safe_ratio('target_years', programme_years) }}                     as target_coverage,
    case
        when eligible_base > 0
            then cumulative_eligible_pilots * {{ programme_years }} >= eligible_base * target_years
    end                                                                    as on_track,
    batch_pilots - batch_eligible_pilots                                   as non_eligible_pilots,
    unmatched_pilots,
    repeat_pilots,
    list_submitted_on,
    list_batches > 0                                                       as has_list,
    list_batches,
    locality_mismatch_pilots,
    list_deadline,
    list_on_time,
    eligible_revoked
from counts
)

-- behind schedule: the year's target (target_coverage, due in every reporting year from P0) is not
-- met; a locality without eligible enterprises (on_track NULL) has nothing to cover, so it is not
-- behind. The reports read this column instead of judging on_track themselves.
select
    *,
    coalesce(not on_track, false)                                          as behind_schedule
from coverage
order by year, locality_code
