
select *
from "floor"."marts"."coverage_by_locality_year"
where not coalesce((cumulative_eligible_pilots <= eligible_base), false)
