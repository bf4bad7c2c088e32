
select *
from "floor"."marts"."fct_pilot_membership"
where not coalesce((not (in_eligible_base and match_status in ('unmatched', 'ambiguous'))), false)
