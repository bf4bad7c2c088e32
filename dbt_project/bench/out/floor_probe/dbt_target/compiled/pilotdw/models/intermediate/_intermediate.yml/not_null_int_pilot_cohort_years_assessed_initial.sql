
    
    



select assessed_initial
from "floor"."intermediate"."int_pilot_cohort_years"
where assessed_initial is null


