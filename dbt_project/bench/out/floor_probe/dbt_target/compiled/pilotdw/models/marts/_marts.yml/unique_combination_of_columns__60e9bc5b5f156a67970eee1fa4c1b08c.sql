
select
    locality_code, year,
    count(*) as occurrences
from "floor"."marts"."regional_effectiveness"
group by locality_code, year
having count(*) > 1
