
    
    



select first_list_year
from "floor"."intermediate"."int_locality_pilot_years"
where first_list_year is null


