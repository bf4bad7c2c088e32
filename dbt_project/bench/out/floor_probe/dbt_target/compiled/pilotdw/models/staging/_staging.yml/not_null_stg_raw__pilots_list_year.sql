
    
    



select list_year
from "floor"."staging"."stg_raw__pilots"
where list_year is null


