
    
    



select is_pilot
from "floor"."marts"."dim_enterprise"
where is_pilot is null


