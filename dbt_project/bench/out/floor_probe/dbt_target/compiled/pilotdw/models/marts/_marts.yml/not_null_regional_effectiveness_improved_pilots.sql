
    
    



select improved_pilots
from "floor"."marts"."regional_effectiveness"
where improved_pilots is null


