
select *
from "floor"."intermediate"."int_pilot_membership"
where not coalesce(((uscc is not null) = (match_status in ('given', 'matched'))), false)
