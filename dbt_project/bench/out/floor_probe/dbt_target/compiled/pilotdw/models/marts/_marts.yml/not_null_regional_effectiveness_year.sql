
    
    



select year
from "floor"."marts"."regional_effectiveness"
where year is null


