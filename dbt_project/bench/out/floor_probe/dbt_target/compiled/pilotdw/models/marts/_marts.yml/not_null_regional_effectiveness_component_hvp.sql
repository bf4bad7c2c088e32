
    
    



select component_hvp
from "floor"."marts"."regional_effectiveness"
where component_hvp is null


