
    
    



select pilot_key
from "floor"."marts"."enterprise_status_by_year"
where pilot_key is null


