
    
    



select pilots_with_delta
from "floor"."marts"."regional_effectiveness"
where pilots_with_delta is null


