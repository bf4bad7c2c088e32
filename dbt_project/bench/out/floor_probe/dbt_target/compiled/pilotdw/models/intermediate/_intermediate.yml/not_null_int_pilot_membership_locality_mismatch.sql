
    
    



select locality_mismatch
from "floor"."intermediate"."int_pilot_membership"
where locality_mismatch is null


