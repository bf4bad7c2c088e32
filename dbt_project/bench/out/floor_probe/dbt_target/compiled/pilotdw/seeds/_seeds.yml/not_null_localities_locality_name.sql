
    
    



select locality_name
from "floor"."seeds"."localities"
where locality_name is null


