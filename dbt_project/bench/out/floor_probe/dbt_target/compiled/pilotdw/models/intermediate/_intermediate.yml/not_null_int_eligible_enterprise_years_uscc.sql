
    
    



select uscc
from "floor"."intermediate"."int_eligible_enterprise_years"
where uscc is null


