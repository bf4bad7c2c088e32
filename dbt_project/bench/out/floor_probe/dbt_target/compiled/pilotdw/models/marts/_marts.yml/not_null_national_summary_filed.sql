
    
    



select filed
from "floor"."marts"."national_summary"
where filed is null


