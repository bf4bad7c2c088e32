
    
    



select locality_code
from "floor"."marts"."fct_pilot_membership"
where locality_code is null


