{#- The date by which a locality submits its pilot list for year Y (metrics.md, "Gates"): 30 June
    of Y in the programme's first year P0 (var p0), 31 March of Y in every later year. The one
    definition of the deadline: coverage_by_locality_year publishes it as list_deadline, and the
    gate, the reports and analysts read that column. make_date(year, month, day) is DuckDB's and
    Postgres's. -#}
{% macro list_deadline(year) -%}
    {%- set p0 = var('p0') | int -%}
    case
        when {{ year }} = {{ p0 }} then make_date({{ year }}, 6, 30)
        else make_date({{ year }}, 3, 31)
    end
{%- endmacro %}
