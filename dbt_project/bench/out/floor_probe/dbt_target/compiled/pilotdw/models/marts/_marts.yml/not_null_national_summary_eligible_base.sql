
    
    



select eligible_base
from "floor"."marts"."national_summary"
where eligible_base is null


