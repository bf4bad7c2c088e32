
    
    



select eligible
from "floor"."marts"."enterprise_status_by_year"
where eligible is null


