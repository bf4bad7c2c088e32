{#- Median of a numeric expression, ignoring NULLs (continuous: the mean of the two middle values
    for an even count). DuckDB has median(); Postgres and most others spell it as an ordered-set
    aggregate. -#}
{% macro median(expression) -%}
    {{ return(adapter.dispatch('median', 'pilotdw')(expression)) }}
{%- endmacro %}

{% macro duckdb__median(expression) -%}
    median({{ expression }})
{%- endmacro %}

{% macro postgres__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}

{% macro default__median(expression) -%}
    percentile_cont(0.5) within group (order by {{ expression }})
{%- endmacro %}
