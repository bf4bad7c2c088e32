
select
    locality_code, year, pilot_key,
    count(*) as occurrences
from "floor"."intermediate"."int_pilot_cohort_years"
group by locality_code, year, pilot_key
having count(*) > 1
