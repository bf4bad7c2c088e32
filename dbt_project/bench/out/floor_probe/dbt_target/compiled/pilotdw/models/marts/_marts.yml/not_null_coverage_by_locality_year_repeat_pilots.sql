
    
    



select repeat_pilots
from "floor"."marts"."coverage_by_locality_year"
where repeat_pilots is null


