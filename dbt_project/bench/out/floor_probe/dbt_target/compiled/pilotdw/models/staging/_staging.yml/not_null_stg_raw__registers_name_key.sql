
    
    



select name_key
from "floor"."staging"."stg_raw__registers"
where name_key is null


