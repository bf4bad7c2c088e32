
    
    



select batch_pilots
from "floor"."marts"."national_summary"
where batch_pilots is null


