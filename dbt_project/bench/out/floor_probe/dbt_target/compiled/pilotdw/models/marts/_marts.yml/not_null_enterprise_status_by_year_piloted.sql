
    
    



select piloted
from "floor"."marts"."enterprise_status_by_year"
where piloted is null


