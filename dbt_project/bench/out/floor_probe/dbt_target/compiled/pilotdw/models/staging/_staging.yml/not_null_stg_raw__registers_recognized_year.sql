
    
    



select recognized_year
from "floor"."staging"."stg_raw__registers"
where recognized_year is null


