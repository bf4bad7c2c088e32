
    
    



select uscc
from "floor"."staging"."stg_raw__registers"
where uscc is null


