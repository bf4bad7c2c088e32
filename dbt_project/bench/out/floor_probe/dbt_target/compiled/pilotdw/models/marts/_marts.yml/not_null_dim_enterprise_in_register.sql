
    
    



select in_register
from "floor"."marts"."dim_enterprise"
where in_register is null


