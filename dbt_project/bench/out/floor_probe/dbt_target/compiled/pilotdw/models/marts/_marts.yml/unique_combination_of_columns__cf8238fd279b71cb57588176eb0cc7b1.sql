
select
    locality_code, year,
    count(*) as occurrences
from "floor"."marts"."coverage_by_locality_year"
group by locality_code, year
having count(*) > 1
