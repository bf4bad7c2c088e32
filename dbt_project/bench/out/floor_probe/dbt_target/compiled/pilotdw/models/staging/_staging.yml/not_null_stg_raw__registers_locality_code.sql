
    
    



select locality_code
from "floor"."staging"."stg_raw__registers"
where locality_code is null


