
    
    



select locality_code
from "floor"."intermediate"."int_eligible_enterprise_years"
where locality_code is null


