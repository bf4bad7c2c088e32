
    
    



select has_list
from "floor"."marts"."coverage_by_locality_year"
where has_list is null


