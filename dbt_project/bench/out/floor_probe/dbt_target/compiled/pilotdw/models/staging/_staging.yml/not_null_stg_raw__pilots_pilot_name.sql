
    
    



select pilot_name
from "floor"."staging"."stg_raw__pilots"
where pilot_name is null


