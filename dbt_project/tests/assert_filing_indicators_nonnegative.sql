-- data-contract.md: every filing indicator is >= 0 (ingestion quarantines a negative one; this
-- blocks publication if one ever gets through). All indicators of macro filing_indicators, so a
-- new indicator is covered without another line. Returns each negative value.
{{ config(meta={'label_zh': '填报指标为负数'}) }}
{% for indicator in filing_indicators() %}
select uscc, data_year, '{{ indicator }}' as indicator, {{ indicator }} as value, source_file, source_row_number
from {{ ref('stg_raw__filings') }}
where {{ indicator }} < 0
{% if not loop.last %}union all{% endif %}
{% endfor %}
