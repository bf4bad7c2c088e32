
    
    



select cumulative_eligible_pilots
from "floor"."marts"."national_summary"
where cumulative_eligible_pilots is null


