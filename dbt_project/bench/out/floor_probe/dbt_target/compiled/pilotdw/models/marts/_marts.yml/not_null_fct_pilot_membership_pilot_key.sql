
    
    



select pilot_key
from "floor"."marts"."fct_pilot_membership"
where pilot_key is null


