
    
    



select locality_mismatch
from "floor"."marts"."fct_pilot_membership"
where locality_mismatch is null


