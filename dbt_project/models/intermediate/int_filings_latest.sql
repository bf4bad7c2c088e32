-- One filing per enterprise and data year (data-contract.md: the later submitted_on wins, then the
-- later file). A dated submission outranks an undated one; then file_mtime, then the later row;
-- path and hash only make the order total. Earlier submissions stay in raw/staging as history.
with filings as (
    select * from {{ ref('stg_raw__filings') }}
),

ranked as (
    select
        filings.*,
        count(*) over (partition by uscc, data_year) as submissions,
        row_number() over (
            partition by uscc, data_year
            order by
                case when submitted_on is null then 0 else 1 end desc,
                submitted_on desc,
                case when file_mtime is null then 0 else 1 end desc,
                file_mtime desc,
                source_row_number desc,
                {{ binary_order('source_file') }} desc,
                file_hash desc
        ) as submission_rank
    from filings
)

select
    uscc,
    data_year,
    submitted_on,
    {% for indicator in filing_indicators() -%}
    {{ indicator }},
    {% endfor -%}
    submissions,
    source_file,
    source_row_number
from ranked
where submission_rank = 1
