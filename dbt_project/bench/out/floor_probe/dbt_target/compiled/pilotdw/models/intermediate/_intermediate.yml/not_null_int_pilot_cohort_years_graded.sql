
    
    



select graded
from "floor"."intermediate"."int_pilot_cohort_years"
where graded is null


