
    
    



select uscc
from "floor"."intermediate"."int_enterprises"
where uscc is null


