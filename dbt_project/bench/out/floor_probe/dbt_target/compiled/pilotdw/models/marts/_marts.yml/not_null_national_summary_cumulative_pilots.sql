
    
    



select cumulative_pilots
from "floor"."marts"."national_summary"
where cumulative_pilots is null


