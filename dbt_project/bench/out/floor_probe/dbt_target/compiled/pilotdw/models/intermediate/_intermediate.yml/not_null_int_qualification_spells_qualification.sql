
    
    



select qualification
from "floor"."intermediate"."int_qualification_spells"
where qualification is null


