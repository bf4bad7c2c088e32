
    
    



select list_deadline
from "floor"."marts"."coverage_by_locality_year"
where list_deadline is null


