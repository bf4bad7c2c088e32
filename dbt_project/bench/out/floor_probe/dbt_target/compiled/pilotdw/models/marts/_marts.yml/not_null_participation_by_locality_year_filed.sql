
    
    



select filed
from "floor"."marts"."participation_by_locality_year"
where filed is null


