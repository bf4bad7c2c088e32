select *
from "floor"."marts"."regional_effectiveness"
where median_score_delta is not null
  and not (
      median_score_delta >= -100
      and median_score_delta <= 100
  )
