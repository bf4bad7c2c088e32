-- Current filing rows (every submission; the latest per enterprise and data year is chosen in
-- int_filings_latest), renamed for the models.
select
    uscc,
    cast(year as {{ dbt.type_int() }})   as data_year,
    submitted_on,
    {% for indicator in filing_indicators() -%}
    cast({{ indicator }} as {{ pilotdw.type_double() }}) as {{ indicator }},
    {% endfor -%}
    source_file,
    file_hash,
    sheet,
    row_number                           as source_row_number,
    file_mtime,
    loaded_at
from {{ source('raw', 'filings') }}
where superseded_by is null
