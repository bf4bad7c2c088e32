
    
    



select assessed_initial
from "floor"."marts"."participation_by_locality_year"
where assessed_initial is null


