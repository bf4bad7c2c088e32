
    
    



select pilot_name
from "floor"."intermediate"."int_locality_pilot_years"
where pilot_name is null


