
    
    



select match_status
from "floor"."marts"."fct_pilot_membership"
where match_status is null


