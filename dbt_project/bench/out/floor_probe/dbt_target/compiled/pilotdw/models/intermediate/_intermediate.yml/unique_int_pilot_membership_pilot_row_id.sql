
    
    

select
    pilot_row_id as unique_field,
    count(*) as n_records

from "floor"."intermediate"."int_pilot_membership"
where pilot_row_id is not null
group by pilot_row_id
having count(*) > 1


