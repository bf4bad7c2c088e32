
    
    



select qualification
from "floor"."staging"."stg_raw__registers"
where qualification is null


