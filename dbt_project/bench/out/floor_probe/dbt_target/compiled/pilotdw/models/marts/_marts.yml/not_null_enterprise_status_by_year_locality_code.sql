
    
    



select locality_code
from "floor"."marts"."enterprise_status_by_year"
where locality_code is null


