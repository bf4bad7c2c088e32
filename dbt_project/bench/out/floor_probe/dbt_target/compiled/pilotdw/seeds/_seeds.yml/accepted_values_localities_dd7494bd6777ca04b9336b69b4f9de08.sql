
    
    

with all_values as (

    select
        kind as value_field,
        count(*) as n_records

    from "floor"."seeds"."localities"
    group by kind

)

select *
from all_values
where value_field not in (
    'municipality','province','autonomous_region','separately_planned_city','corps'
)


