
    
    



select recognized_year
from "floor"."intermediate"."int_qualification_spells"
where recognized_year is null


