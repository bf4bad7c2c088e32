
select *
from "floor"."marts"."participation_by_locality_year"
where not coalesce((assessed_initial <= cumulative_pilots and filed <= cumulative_pilots and graded <= cumulative_pilots), false)
