
    
    

with all_values as (

    select
        match_scope as value_field,
        count(*) as n_records

    from "floor"."marts"."fct_pilot_membership"
    group by match_scope

)

select *
from all_values
where value_field not in (
    'same_locality','any_locality'
)


