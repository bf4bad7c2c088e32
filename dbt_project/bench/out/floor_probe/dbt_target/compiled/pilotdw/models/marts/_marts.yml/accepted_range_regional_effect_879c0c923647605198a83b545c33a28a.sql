select *
from "floor"."marts"."regional_effectiveness"
where mean_score_delta is not null
  and not (
      mean_score_delta >= -100
      and mean_score_delta <= 100
  )
