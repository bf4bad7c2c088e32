{#- The date by which pilots file their annual data for data year Y (metrics.md, "Policy notes for
    the gates"): 30 June of Y + 1. The one definition: participation_by_locality_year publishes it as
    filing_deadline, and the filing-rate gate judges only the years whose deadline has passed at the
    build's as-of date. make_date(year, month, day) is DuckDB's and Postgres's. -#}
{% macro filing_deadline(year) -%}
    make_date({{ year }} + 1, 6, 30)
{%- endmacro %}
