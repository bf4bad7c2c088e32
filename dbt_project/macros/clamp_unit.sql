{#- Bound an expression to [0, 1] (NULL stays NULL); used by the effectiveness index transforms. -#}
{% macro clamp_unit(expression) -%}
    case
        when ({{ expression }}) is null then null
        when ({{ expression }}) < 0 then cast(0 as {{ pilotdw.type_double() }})
        when ({{ expression }}) > 1 then cast(1 as {{ pilotdw.type_double() }})
        else cast(({{ expression }}) as {{ pilotdw.type_double() }})
    end
{%- endmacro %}
