
select
    locality_code, list_year, pilot_key,
    count(*) as occurrences
from "floor"."intermediate"."int_locality_pilot_years"
group by locality_code, list_year, pilot_key
having count(*) > 1
