
    
    



select locality_code
from "floor"."marts"."enterprise_improvement"
where locality_code is null


