{#- dbt-postgres's own macro, except for array columns: information_schema reports their data_type
    as the bare word ARRAY, which dbt's unit tests then render as `cast(null as ARRAY)`, a syntax
    error (stg_raw__pilots.category is text[]). udt_name ('_text') names the element type, so an
    array column is reported as `text[]`. The root project's postgres__ macro wins the dispatch. -#}
{% macro postgres__get_columns_in_relation(relation) -%}
  {% call statement('get_columns_in_relation', fetch_result=True) %}
      select
          column_name,
          case
              when data_type = 'ARRAY' then substr(udt_name, 2) || '[]'
              else data_type
          end as data_type,
          character_maximum_length,
          numeric_precision,
          numeric_scale

      from {{ relation.information_schema('columns') }}
      where table_name = '{{ relation.identifier }}'
        {% if relation.schema %}
        and table_schema = '{{ relation.schema }}'
        {% endif %}
      order by ordinal_position

  {% endcall %}
  {% set table = load_result('get_columns_in_relation').table %}
  {{ return(sql_convert_columns_in_relation(table)) }}
{% endmacro %}
