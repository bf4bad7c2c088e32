
select *
from "floor"."marts"."fct_pilot_membership"
where not coalesce((not locality_mismatch), false)
