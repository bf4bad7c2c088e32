
select
    uscc, year,
    count(*) as occurrences
from "floor"."intermediate"."int_eligible_enterprise_years"
group by uscc, year
having count(*) > 1
