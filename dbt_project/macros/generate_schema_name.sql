{#- Models land in the schema named by their folder config (staging, intermediate, marts, seeds),
    not dbt's default "<target schema>_<custom schema>", because analysts and the gates query
    marts.* by that exact name. Without a custom schema the target schema is used.
    PILOTDW_SCHEMA_PREFIX (empty by default, as in the DuckDB file mode) puts each run into its own
    schemas on a server, e.g. build_<id>_marts, published later by renaming them (issue 16). -#}
{% macro generate_schema_name(custom_schema_name, node) -%}
    {%- if custom_schema_name is none -%}
        {{ target.schema | trim }}
    {%- else -%}
        {{ env_var('PILOTDW_SCHEMA_PREFIX', '') | trim }}{{ custom_schema_name | trim }}
    {%- endif -%}
{%- endmacro %}
