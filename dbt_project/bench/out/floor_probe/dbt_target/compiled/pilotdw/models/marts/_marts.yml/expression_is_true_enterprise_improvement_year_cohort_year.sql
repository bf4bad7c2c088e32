
select *
from "floor"."marts"."enterprise_improvement"
where not coalesce((year >= cohort_year), false)
