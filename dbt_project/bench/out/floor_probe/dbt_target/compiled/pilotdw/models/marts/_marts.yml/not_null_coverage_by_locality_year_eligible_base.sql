
    
    



select eligible_base
from "floor"."marts"."coverage_by_locality_year"
where eligible_base is null


