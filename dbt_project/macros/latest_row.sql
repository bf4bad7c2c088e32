{#- The fields of the row with the greatest `order_by` in each group, NULL fields kept (a grouped
    aggregate, not a window: DuckDB spills it to disk, see int_pilot_cohort_years). `fields` is a
    list of (name, expression) pairs; read a field back with latest_row_field(alias, name).
    DuckDB: one arg_max over a struct (arg_max of a bare NULL value would skip the row).
    Elsewhere (PostgreSQL): no struct values, so one ordered array_agg per field, first element;
    array_agg keeps NULLs. `order_by` must be unique within a group for the two to agree. -#}
{% macro latest_row(fields, order_by, alias) -%}
    {{ return(adapter.dispatch('latest_row', 'pilotdw')(fields, order_by, alias)) }}
{%- endmacro %}

{% macro duckdb__latest_row(fields, order_by, alias) -%}
    arg_max(
        struct_pack(
            {% for name, expression in fields -%}
            {{ name }} := {{ expression }}{% if not loop.last %},{% endif %}
            {% endfor -%}
        ),
        {{ order_by }}
    ) as {{ alias }}
{%- endmacro %}

{% macro default__latest_row(fields, order_by, alias) -%}
    {% for name, expression in fields -%}
    (array_agg({{ expression }} order by {{ order_by }} desc))[1] as {{ alias }}__{{ name }}{% if not loop.last %},{% endif %}
    {% endfor -%}
{%- endmacro %}

{% macro latest_row_field(alias, name) -%}
    {{ return(adapter.dispatch('latest_row_field', 'pilotdw')(alias, name)) }}
{%- endmacro %}

{% macro duckdb__latest_row_field(alias, name) -%}
    {{ alias }}.{{ name }}
{%- endmacro %}

{% macro default__latest_row_field(alias, name) -%}
    {{ alias }}__{{ name }}
{%- endmacro %}
