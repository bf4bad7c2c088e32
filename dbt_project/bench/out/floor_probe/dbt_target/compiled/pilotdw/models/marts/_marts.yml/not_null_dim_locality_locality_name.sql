
    
    



select locality_name
from "floor"."marts"."dim_locality"
where locality_name is null


