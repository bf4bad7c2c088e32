
    
    



select locality_code
from "floor"."marts"."participation_by_locality_year"
where locality_code is null


