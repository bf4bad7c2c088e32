
    
    



select year
from "floor"."marts"."coverage_by_locality_year"
where year is null


