
    
    



select assessed_initial
from "floor"."marts"."national_summary"
where assessed_initial is null


