
    
    



select batch_eligible_pilots
from "floor"."marts"."coverage_by_locality_year"
where batch_eligible_pilots is null


