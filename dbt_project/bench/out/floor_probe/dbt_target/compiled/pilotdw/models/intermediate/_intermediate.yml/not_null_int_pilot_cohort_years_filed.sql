
    
    



select filed
from "floor"."intermediate"."int_pilot_cohort_years"
where filed is null


