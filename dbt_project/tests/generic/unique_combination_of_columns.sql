{#- Each combination of the given columns occurs at most once (the grain of a table with a
    composite key). Returns the duplicated combinations with their count. -#}
{% test unique_combination_of_columns(model, combination_of_columns) %}
select
    {{ combination_of_columns | join(', ') }},
    count(*) as occurrences
from {{ model }}
group by {{ combination_of_columns | join(', ') }}
having count(*) > 1
{% endtest %}
