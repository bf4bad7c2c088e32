
    
    



select match_status
from "floor"."intermediate"."int_pilot_membership"
where match_status is null


