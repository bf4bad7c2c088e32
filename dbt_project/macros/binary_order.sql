{#- A text expression compared byte by byte (code point order), as DuckDB always compares text.
    Used where a text column breaks a tie (the later file by path, the later sheet): on a server
    whose database collation is linguistic (zh_CN, ICU 'zh': 北京 < 上海 by pinyin, '_' < '/') the
    tie would otherwise pick another row than DuckDB does. -#}
{% macro binary_order(expression) -%}
    {{ return(adapter.dispatch('binary_order', 'pilotdw')(expression)) }}
{%- endmacro %}

{% macro default__binary_order(expression) -%}
    {{ expression }}
{%- endmacro %}

{% macro postgres__binary_order(expression) -%}
    {{ expression }} collate "C"
{%- endmacro %}
