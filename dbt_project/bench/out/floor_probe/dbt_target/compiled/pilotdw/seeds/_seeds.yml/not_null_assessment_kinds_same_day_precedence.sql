
    
    



select same_day_precedence
from "floor"."seeds"."assessment_kinds"
where same_day_precedence is null


