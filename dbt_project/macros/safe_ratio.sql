{#- numerator / denominator as a double, NULL when the denominator is 0 or NULL.
    The cast avoids integer division on engines that truncate (Postgres: 1/3 = 0). -#}
{% macro safe_ratio(numerator, denominator) -%}
    (cast({{ numerator }} as {{ pilotdw.type_double() }}) / nullif({{ denominator }}, 0))
{%- endmacro %}
