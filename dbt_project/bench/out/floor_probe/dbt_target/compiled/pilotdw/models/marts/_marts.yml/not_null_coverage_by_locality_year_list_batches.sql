
    
    



select list_batches
from "floor"."marts"."coverage_by_locality_year"
where list_batches is null


