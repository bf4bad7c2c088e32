
select *
from "floor"."marts"."coverage_by_locality_year"
where not coalesce((coalesce(list_on_time, true) or list_submitted_on > list_deadline), false)
