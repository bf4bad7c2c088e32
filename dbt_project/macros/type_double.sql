{#- A 64-bit float. dbt.type_float() renders FLOAT, which DuckDB reads as a 32-bit REAL
    (1/3 would become 0.3333333432…): ratios compared against 1/3 need double precision. -#}
{% macro type_double() -%}
    {{ return(adapter.dispatch('type_double', 'pilotdw')()) }}
{%- endmacro %}

{% macro default__type_double() -%}
    double precision
{%- endmacro %}

{% macro bigquery__type_double() -%}
    float64
{%- endmacro %}
