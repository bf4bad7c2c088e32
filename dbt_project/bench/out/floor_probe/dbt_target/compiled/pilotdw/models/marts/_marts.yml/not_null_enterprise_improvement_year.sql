
    
    



select year
from "floor"."marts"."enterprise_improvement"
where year is null


