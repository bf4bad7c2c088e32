
    
    



select year
from "floor"."marts"."national_summary"
where year is null


