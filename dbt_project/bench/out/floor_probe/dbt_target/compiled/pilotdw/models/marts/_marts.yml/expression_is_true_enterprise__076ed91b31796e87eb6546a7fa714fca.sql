
select *
from "floor"."marts"."enterprise_status_by_year"
where not coalesce((eligible or piloted), false)
