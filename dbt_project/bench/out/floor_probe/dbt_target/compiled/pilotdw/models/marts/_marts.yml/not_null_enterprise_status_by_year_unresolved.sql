
    
    



select unresolved
from "floor"."marts"."enterprise_status_by_year"
where unresolved is null


