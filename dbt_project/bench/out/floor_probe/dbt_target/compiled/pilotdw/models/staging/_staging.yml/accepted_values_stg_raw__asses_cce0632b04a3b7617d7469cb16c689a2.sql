
    
    

with all_values as (

    select
        kind as value_field,
        count(*) as n_records

    from "floor"."staging"."stg_raw__assessments"
    group by kind

)

select *
from all_values
where value_field not in (
    'initial','annual','graded'
)


