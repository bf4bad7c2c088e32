
select
    locality_code, year, pilot_key,
    count(*) as occurrences
from "floor"."marts"."enterprise_status_by_year"
group by locality_code, year, pilot_key
having count(*) > 1
