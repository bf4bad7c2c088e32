
    
    



select locality_name
from "floor"."marts"."coverage_by_locality_year"
where locality_name is null


