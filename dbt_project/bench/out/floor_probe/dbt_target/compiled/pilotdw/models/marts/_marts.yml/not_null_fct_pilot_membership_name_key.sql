
    
    



select name_key
from "floor"."marts"."fct_pilot_membership"
where name_key is null


