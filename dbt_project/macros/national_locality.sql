{#- The locality code of the national row of marts.regional_effectiveness (settings.NATIONAL_CODE). -#}
{% macro national_locality_code() -%}
    '000000'
{%- endmacro %}
