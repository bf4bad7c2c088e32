
    
    



select uscc
from "floor"."staging"."stg_raw__assessments"
where uscc is null


