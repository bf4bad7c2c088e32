
    
    

select
    uscc as unique_field,
    count(*) as n_records

from "floor"."marts"."dim_enterprise"
where uscc is not null
group by uscc
having count(*) > 1


