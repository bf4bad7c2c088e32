
select *
from "floor"."marts"."coverage_by_locality_year"
where not coalesce((has_list = (list_on_time is not null)), false)
