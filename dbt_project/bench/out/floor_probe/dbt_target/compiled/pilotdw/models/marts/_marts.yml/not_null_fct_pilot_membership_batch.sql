
    
    



select batch
from "floor"."marts"."fct_pilot_membership"
where batch is null


