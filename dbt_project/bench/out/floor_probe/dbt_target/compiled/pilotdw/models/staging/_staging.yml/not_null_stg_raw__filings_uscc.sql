
    
    



select uscc
from "floor"."staging"."stg_raw__filings"
where uscc is null


