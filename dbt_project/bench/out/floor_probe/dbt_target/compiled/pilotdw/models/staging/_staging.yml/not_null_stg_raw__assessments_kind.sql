
    
    



select kind
from "floor"."staging"."stg_raw__assessments"
where kind is null


