
    
    



select component_score
from "floor"."marts"."regional_effectiveness"
where component_score is null


