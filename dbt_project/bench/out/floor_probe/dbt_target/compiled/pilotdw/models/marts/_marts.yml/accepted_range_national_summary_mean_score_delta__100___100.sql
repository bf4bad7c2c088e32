select *
from "floor"."marts"."national_summary"
where mean_score_delta is not null
  and not (
      mean_score_delta >= -100
      and mean_score_delta <= 100
  )
