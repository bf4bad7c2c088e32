
select *
from "floor"."marts"."regional_effectiveness"
where not coalesce((locality_code <> '000000' or rank is null), false)
