
    
    



select graded
from "floor"."marts"."national_summary"
where graded is null


