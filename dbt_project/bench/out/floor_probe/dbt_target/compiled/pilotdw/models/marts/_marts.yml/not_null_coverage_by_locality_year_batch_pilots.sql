
    
    



select batch_pilots
from "floor"."marts"."coverage_by_locality_year"
where batch_pilots is null


