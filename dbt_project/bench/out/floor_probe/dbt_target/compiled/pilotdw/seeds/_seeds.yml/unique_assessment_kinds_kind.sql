
    
    

select
    kind as unique_field,
    count(*) as n_records

from "floor"."seeds"."assessment_kinds"
where kind is not null
group by kind
having count(*) > 1


