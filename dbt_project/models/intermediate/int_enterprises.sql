-- One row per register enterprise (USCC). An enterprise belongs to the locality of its register
-- entry (metrics.md); when its register rows disagree, the row of its most recent recognition
-- decides (then the later file, then the later row): a newer recognition records where the
-- enterprise is registered now. The disagreement stays visible in has_conflicting_localities.
with registers as (
    select * from {{ ref('stg_raw__registers') }}
),

ranked as (
    select
        registers.*,
        row_number() over (
            partition by uscc
            order by
                recognized_year desc,
                case when file_mtime is null then 0 else 1 end desc,
                file_mtime desc,
                {{ binary_order('source_file') }} desc,
                source_row_number desc
        ) as recency
    from registers
),

summary as (
    select
        uscc,
        count(*)                       as register_rows,
        count(distinct locality_code)  as register_localities,
        min(recognized_year)           as first_recognized_year
    from registers
    group by uscc
)

select
    ranked.uscc,
    ranked.enterprise_name,
    ranked.name_key,
    ranked.locality_code,
    ranked.locality_disagrees_with_uscc,
    summary.register_rows,
    summary.register_localities,
    summary.register_localities > 1  as has_conflicting_localities,
    summary.first_recognized_year
from ranked
inner join summary
    on summary.uscc = ranked.uscc
where ranked.recency = 1
