
    
    



select cumulative_pilots
from "floor"."marts"."regional_effectiveness"
where cumulative_pilots is null


