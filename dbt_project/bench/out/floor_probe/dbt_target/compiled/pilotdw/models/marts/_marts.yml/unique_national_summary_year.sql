
    
    

select
    year as unique_field,
    count(*) as n_records

from "floor"."marts"."national_summary"
where year is not null
group by year
having count(*) > 1


