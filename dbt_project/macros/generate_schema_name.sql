{#- Models land in the schema named by their folder config (staging, intermediate, marts, seeds),
    not dbt's default "<target schema>_<custom schema>", because analysts and the gates query
    marts.* by that exact name. Without a custom schema the target schema is used. -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
