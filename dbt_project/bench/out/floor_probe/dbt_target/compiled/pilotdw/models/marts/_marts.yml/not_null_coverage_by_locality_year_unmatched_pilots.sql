
    
    



select unmatched_pilots
from "floor"."marts"."coverage_by_locality_year"
where unmatched_pilots is null


