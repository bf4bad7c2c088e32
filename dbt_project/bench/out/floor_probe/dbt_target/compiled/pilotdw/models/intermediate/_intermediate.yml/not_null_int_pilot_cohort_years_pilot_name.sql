
    
    



select pilot_name
from "floor"."intermediate"."int_pilot_cohort_years"
where pilot_name is null


