select *
from "floor"."marts"."regional_effectiveness"
where cumulative_coverage is not null
  and not (
      cumulative_coverage >= 0
      and cumulative_coverage <= 1
  )
