
    
    



select locality_code
from "floor"."marts"."dim_locality"
where locality_code is null


