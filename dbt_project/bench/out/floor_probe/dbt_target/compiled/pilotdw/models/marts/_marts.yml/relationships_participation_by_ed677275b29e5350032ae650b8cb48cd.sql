
    
    

with child as (
    select locality_code as from_field
    from "floor"."marts"."participation_by_locality_year"
    where locality_code is not null
),

parent as (
    select locality_code as to_field
    from "floor"."marts"."dim_locality"
)

select
    from_field

from child
left join parent
    on child.from_field = parent.to_field

where parent.to_field is null


