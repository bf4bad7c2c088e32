
    
    



select kind
from "floor"."seeds"."assessment_kinds"
where kind is null


