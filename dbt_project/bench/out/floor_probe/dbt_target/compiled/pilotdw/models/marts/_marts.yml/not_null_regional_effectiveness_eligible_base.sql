
    
    



select eligible_base
from "floor"."marts"."regional_effectiveness"
where eligible_base is null


