
    
    



select locality_code
from "floor"."seeds"."localities"
where locality_code is null


