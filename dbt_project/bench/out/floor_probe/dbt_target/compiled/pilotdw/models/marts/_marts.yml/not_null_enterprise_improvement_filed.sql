
    
    



select filed
from "floor"."marts"."enterprise_improvement"
where filed is null


