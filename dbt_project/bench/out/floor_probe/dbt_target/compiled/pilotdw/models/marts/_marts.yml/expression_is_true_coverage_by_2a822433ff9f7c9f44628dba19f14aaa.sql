
select *
from "floor"."marts"."coverage_by_locality_year"
where not coalesce((repeat_pilots <= batch_pilots and unmatched_pilots <= non_eligible_pilots), false)
