
    
    



select year
from "floor"."intermediate"."int_eligible_enterprise_years"
where year is null


