
    
    

select
    year as unique_field,
    count(*) as n_records

from "floor"."intermediate"."int_years"
where year is not null
group by year
having count(*) > 1


