-- One row per current pilot-list row, with the enterprise it stands for.
--   match_status: 'given' (USCC on the row); else by name (data-contract.md): the row's name_key
--   equals the name_key of register enterprises of the list's locality → exactly one: 'matched',
--   several: 'ambiguous'; none there → the same over all localities; none in any register → the
--   rows of the same locality's lists (any year) that carry a USCC and the same name_key
--   (metrics.md "Counting pilots": match_scope 'pilot_lists'): exactly one USCC → 'matched', several →
--   'ambiguous' (never guessed); none at all: 'unmatched'. So a body listed once with its USCC and
--   once by name alone is one pilot; the lookup never crosses localities.
--   pilot_key: the identity every pilot count uses (metrics.md "Counting pilots"): the USCC when
--   given or matched, else 'name:' || name_key, so an unresolved row counts once per distinct
--   normalised name within its locality.
--   locality_mismatch: the enterprise's register locality differs from the list's locality (the
--   row still counts for the list's locality); FALSE when the enterprise is not in any register.
--   in_eligible_base: the enterprise is in E(list locality, list year) (never for unresolved rows).
with pilots as (
    select * from {{ ref('stg_raw__pilots') }}
),

enterprises as (
    select uscc, locality_code from {{ ref('int_enterprises') }}
),

-- every name an enterprise carries in any register row, with the enterprise's locality
register_names as (
    select distinct
        registers.name_key,
        registers.uscc,
        enterprises.locality_code
    from {{ ref('stg_raw__registers') }} as registers
    inner join enterprises
        on enterprises.uscc = registers.uscc
),

unresolved_names as (
    select distinct locality_code, name_key
    from pilots
    where uscc_given is null
),

-- the USCCs the locality's own lists (any year, current rows) give under each name
listed_usccs as (
    select distinct locality_code, name_key, uscc_given as uscc
    from pilots
    where uscc_given is not null
),

list_candidates as (
    select
        unresolved_names.locality_code,
        unresolved_names.name_key,
        count(distinct listed_usccs.uscc)                                 as list_candidates,
        max(listed_usccs.uscc)                                            as list_uscc
    from unresolved_names
    inner join listed_usccs
        on  listed_usccs.locality_code = unresolved_names.locality_code
        and listed_usccs.name_key = unresolved_names.name_key
    group by unresolved_names.locality_code, unresolved_names.name_key
),

candidates as (
    select
        unresolved_names.locality_code,
        unresolved_names.name_key,
        count(distinct case when register_names.locality_code = unresolved_names.locality_code
                            then register_names.uscc end)                 as same_locality_candidates,
        max(case when register_names.locality_code = unresolved_names.locality_code
                 then register_names.uscc end)                            as same_locality_uscc,
        count(distinct register_names.uscc)                               as any_locality_candidates,
        max(register_names.uscc)                                          as any_locality_uscc
    from unresolved_names
    left join register_names
        on register_names.name_key = unresolved_names.name_key
    group by unresolved_names.locality_code, unresolved_names.name_key
),

resolved as (
    select
        pilots.*,
        case
            when pilots.uscc_given is not null then 'given'
            when candidates.same_locality_candidates = 1 then 'matched'
            when candidates.same_locality_candidates > 1 then 'ambiguous'
            when candidates.any_locality_candidates = 1 then 'matched'
            when candidates.any_locality_candidates > 1 then 'ambiguous'
            when list_candidates.list_candidates = 1 then 'matched'
            when list_candidates.list_candidates > 1 then 'ambiguous'
            else 'unmatched'
        end as match_status,
        case
            when pilots.uscc_given is not null then null
            when candidates.same_locality_candidates > 0 then 'same_locality'
            when candidates.any_locality_candidates > 0 then 'any_locality'
            when list_candidates.list_candidates > 0 then 'pilot_lists'
        end as match_scope,
        case
            when pilots.uscc_given is not null then null
            when candidates.same_locality_candidates > 0 then candidates.same_locality_candidates
            when candidates.any_locality_candidates > 0 then candidates.any_locality_candidates
            else coalesce(list_candidates.list_candidates, 0)
        end as name_candidates,
        case
            when pilots.uscc_given is not null then pilots.uscc_given
            when candidates.same_locality_candidates = 1 then candidates.same_locality_uscc
            when candidates.same_locality_candidates = 0
                 and candidates.any_locality_candidates = 1 then candidates.any_locality_uscc
            when candidates.any_locality_candidates = 0
                 and list_candidates.list_candidates = 1 then list_candidates.list_uscc
        end as uscc
    from pilots
    left join candidates
        on  candidates.locality_code = pilots.locality_code
        and candidates.name_key = pilots.name_key
        and pilots.uscc_given is null
    left join list_candidates
        on  list_candidates.locality_code = pilots.locality_code
        and list_candidates.name_key = pilots.name_key
        and pilots.uscc_given is null
),

eligible as (
    select locality_code, year, uscc from {{ ref('int_eligible_enterprise_years') }}
)

select
    {{ dbt.concat([
        "resolved.file_hash", "':'",
        "coalesce(resolved.sheet, '')", "':'",
        dbt.cast("resolved.source_row_number", dbt.type_string())
    ]) }}                                                       as pilot_row_id,
    resolved.locality_code,
    resolved.list_year,
    resolved.batch,
    resolved.seq,
    resolved.pilot_name,
    resolved.name_key,
    resolved.uscc_given,
    resolved.uscc,
    resolved.match_status,
    resolved.match_scope,
    resolved.name_candidates,
    coalesce(resolved.uscc, {{ dbt.concat(["'name:'", "resolved.name_key"]) }}) as pilot_key,
    enterprises.locality_code                                   as enterprise_locality_code,
    coalesce(enterprises.locality_code <> resolved.locality_code, false) as locality_mismatch,
    eligible.uscc is not null                                   as in_eligible_base,
    resolved.category,
    resolved.district,
    resolved.submitted_on,
    resolved.source_file,
    resolved.file_hash,
    resolved.sheet,
    resolved.source_row_number,
    resolved.file_mtime
from resolved
left join enterprises
    on enterprises.uscc = resolved.uscc
left join eligible
    on  eligible.uscc = resolved.uscc
    and eligible.locality_code = resolved.locality_code
    and eligible.year = resolved.list_year
