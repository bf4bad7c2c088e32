
    
    

select
    uscc as unique_field,
    count(*) as n_records

from "floor"."intermediate"."int_enterprises"
where uscc is not null
group by uscc
having count(*) > 1


