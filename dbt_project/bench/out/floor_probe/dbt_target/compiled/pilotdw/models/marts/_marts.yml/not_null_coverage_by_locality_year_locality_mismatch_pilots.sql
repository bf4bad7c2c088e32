
    
    



select locality_mismatch_pilots
from "floor"."marts"."coverage_by_locality_year"
where locality_mismatch_pilots is null


