
select *
from "floor"."marts"."coverage_by_locality_year"
where not coalesce((batch_eligible_pilots <= batch_pilots and batch_eligible_pilots <= eligible_base), false)
