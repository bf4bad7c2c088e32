
select *
from "floor"."intermediate"."int_enterprises"
where not coalesce((not has_conflicting_localities), false)
