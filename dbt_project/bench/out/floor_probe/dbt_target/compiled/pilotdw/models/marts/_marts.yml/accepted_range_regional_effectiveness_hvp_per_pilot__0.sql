select *
from "floor"."marts"."regional_effectiveness"
where hvp_per_pilot is not null
  and not (
      hvp_per_pilot >= 0
      and 1 = 1
  )
