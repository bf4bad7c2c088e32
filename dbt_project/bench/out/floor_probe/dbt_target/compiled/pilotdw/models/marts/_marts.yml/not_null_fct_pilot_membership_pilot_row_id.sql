
    
    



select pilot_row_id
from "floor"."marts"."fct_pilot_membership"
where pilot_row_id is null


