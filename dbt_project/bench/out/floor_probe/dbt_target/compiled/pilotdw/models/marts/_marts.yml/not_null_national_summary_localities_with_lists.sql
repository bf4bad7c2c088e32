
    
    



select localities_with_lists
from "floor"."marts"."national_summary"
where localities_with_lists is null


