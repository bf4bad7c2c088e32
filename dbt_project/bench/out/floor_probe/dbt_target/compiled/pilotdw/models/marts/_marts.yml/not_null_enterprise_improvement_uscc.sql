
    
    



select uscc
from "floor"."marts"."enterprise_improvement"
where uscc is null


