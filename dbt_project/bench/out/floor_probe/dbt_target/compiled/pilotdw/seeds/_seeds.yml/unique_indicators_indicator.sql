
    
    

select
    indicator as unique_field,
    count(*) as n_records

from "floor"."seeds"."indicators"
where indicator is not null
group by indicator
having count(*) > 1


