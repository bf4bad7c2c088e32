
    
    



select year
from "floor"."marts"."participation_by_locality_year"
where year is null


