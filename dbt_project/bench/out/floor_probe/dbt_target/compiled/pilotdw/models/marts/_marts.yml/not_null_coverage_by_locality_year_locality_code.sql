
    
    



select locality_code
from "floor"."marts"."coverage_by_locality_year"
where locality_code is null


