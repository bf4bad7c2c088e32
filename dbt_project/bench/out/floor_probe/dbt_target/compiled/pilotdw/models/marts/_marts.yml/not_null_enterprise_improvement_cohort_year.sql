
    
    



select cohort_year
from "floor"."marts"."enterprise_improvement"
where cohort_year is null


