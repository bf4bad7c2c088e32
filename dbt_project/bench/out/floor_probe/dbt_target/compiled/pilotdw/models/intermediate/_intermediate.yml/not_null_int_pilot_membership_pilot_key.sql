
    
    



select pilot_key
from "floor"."intermediate"."int_pilot_membership"
where pilot_key is null


