
select *
from "floor"."marts"."fct_pilot_membership"
where not coalesce(((uscc is not null) = (match_status in ('given', 'matched'))), false)
