
    
    



select component_improved
from "floor"."marts"."regional_effectiveness"
where component_improved is null


