
    
    



select graded
from "floor"."marts"."participation_by_locality_year"
where graded is null


