
    
    



select uscc
from "floor"."intermediate"."int_qualification_spells"
where uscc is null


