
    
    



select year
from "floor"."marts"."fct_pilot_membership"
where year is null


