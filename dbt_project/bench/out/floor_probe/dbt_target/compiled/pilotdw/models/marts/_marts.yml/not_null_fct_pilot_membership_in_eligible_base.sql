
    
    



select in_eligible_base
from "floor"."marts"."fct_pilot_membership"
where in_eligible_base is null


