
    
    



select assessed_on
from "floor"."staging"."stg_raw__assessments"
where assessed_on is null


