
    
    



select cumulative_pilots
from "floor"."marts"."participation_by_locality_year"
where cumulative_pilots is null


