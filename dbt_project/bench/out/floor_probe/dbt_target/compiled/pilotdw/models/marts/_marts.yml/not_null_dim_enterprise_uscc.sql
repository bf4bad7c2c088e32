
    
    



select uscc
from "floor"."marts"."dim_enterprise"
where uscc is null


