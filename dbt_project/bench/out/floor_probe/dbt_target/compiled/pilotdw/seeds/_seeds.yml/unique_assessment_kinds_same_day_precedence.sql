
    
    

select
    same_day_precedence as unique_field,
    count(*) as n_records

from "floor"."seeds"."assessment_kinds"
where same_day_precedence is not null
group by same_day_precedence
having count(*) > 1


