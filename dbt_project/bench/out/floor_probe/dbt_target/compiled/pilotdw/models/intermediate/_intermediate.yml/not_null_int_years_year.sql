
    
    



select year
from "floor"."intermediate"."int_years"
where year is null


