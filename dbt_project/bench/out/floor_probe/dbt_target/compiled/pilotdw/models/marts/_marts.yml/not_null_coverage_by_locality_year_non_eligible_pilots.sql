
    
    



select non_eligible_pilots
from "floor"."marts"."coverage_by_locality_year"
where non_eligible_pilots is null


