
    
    



select year
from "floor"."marts"."enterprise_status_by_year"
where year is null


