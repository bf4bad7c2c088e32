
select
    uscc, year,
    count(*) as occurrences
from "floor"."marts"."enterprise_improvement"
group by uscc, year
having count(*) > 1
