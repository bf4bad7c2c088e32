
    
    



select name_key
from "floor"."staging"."stg_raw__pilots"
where name_key is null


