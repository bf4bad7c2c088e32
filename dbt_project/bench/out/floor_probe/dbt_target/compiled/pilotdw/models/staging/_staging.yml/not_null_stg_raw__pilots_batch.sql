
    
    



select batch
from "floor"."staging"."stg_raw__pilots"
where batch is null


