
    
    

with all_values as (

    select
        qualification as value_field,
        count(*) as n_records

    from "floor"."staging"."stg_raw__registers"
    group by qualification

)

select *
from all_values
where value_field not in (
    'ip_demonstration','ip_advantage','little_giant'
)


