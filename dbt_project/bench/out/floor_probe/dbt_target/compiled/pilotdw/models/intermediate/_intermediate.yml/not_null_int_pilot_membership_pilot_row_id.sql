
    
    



select pilot_row_id
from "floor"."intermediate"."int_pilot_membership"
where pilot_row_id is null


