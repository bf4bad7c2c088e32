
    
    



select target_coverage
from "floor"."marts"."coverage_by_locality_year"
where target_coverage is null


