
    
    



select total_score
from "floor"."staging"."stg_raw__assessments"
where total_score is null


