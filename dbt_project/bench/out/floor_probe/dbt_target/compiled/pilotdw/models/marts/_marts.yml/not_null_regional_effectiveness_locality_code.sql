
    
    



select locality_code
from "floor"."marts"."regional_effectiveness"
where locality_code is null


