{#- Rows whose column lies outside [min_value, max_value] (bounds optional, inclusive by default).
    NULLs pass: not_null is a separate test where a value is required. -#}
{% test accepted_range(model, column_name, min_value=none, max_value=none, inclusive=true) %}
{%- set op_min = '>=' if inclusive else '>' -%}
{%- set op_max = '<=' if inclusive else '<' -%}
select *
from {{ model }}
where {{ column_name }} is not null
  and not (
      {% if min_value is not none %}{{ column_name }} {{ op_min }} {{ min_value }}{% else %}1 = 1{% endif %}
      and {% if max_value is not none %}{{ column_name }} {{ op_max }} {{ max_value }}{% else %}1 = 1{% endif %}
  )
{% endtest %}
