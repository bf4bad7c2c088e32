
    
    

select
    locality_code as unique_field,
    count(*) as n_records

from "floor"."marts"."dim_locality"
where locality_code is not null
group by locality_code
having count(*) > 1


