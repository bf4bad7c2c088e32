
    
    



select assessed_year
from "floor"."intermediate"."int_assessments_ordered"
where assessed_year is null


