
    
    



select component_filing
from "floor"."marts"."regional_effectiveness"
where component_filing is null


