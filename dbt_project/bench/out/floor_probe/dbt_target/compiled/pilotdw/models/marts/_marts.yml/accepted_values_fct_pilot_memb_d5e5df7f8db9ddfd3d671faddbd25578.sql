
    
    

with all_values as (

    select
        match_status as value_field,
        count(*) as n_records

    from "floor"."marts"."fct_pilot_membership"
    group by match_status

)

select *
from all_values
where value_field not in (
    'given','matched','unmatched','ambiguous'
)


