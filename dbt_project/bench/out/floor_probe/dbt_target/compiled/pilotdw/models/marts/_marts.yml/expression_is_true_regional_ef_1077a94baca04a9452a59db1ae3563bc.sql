
select *
from "floor"."marts"."regional_effectiveness"
where not coalesce((improved_pilots <= pilots_with_delta), false)
