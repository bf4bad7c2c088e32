
    
    



select indicator
from "floor"."seeds"."indicators"
where indicator is null


