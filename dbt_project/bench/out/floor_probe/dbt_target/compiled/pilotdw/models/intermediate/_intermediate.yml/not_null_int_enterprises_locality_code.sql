
    
    



select locality_code
from "floor"."intermediate"."int_enterprises"
where locality_code is null


