
    
    



select locality_code
from "floor"."staging"."stg_raw__pilots"
where locality_code is null


