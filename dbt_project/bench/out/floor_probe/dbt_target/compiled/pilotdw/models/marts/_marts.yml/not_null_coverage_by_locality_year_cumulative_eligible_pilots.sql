
    
    



select cumulative_eligible_pilots
from "floor"."marts"."coverage_by_locality_year"
where cumulative_eligible_pilots is null


