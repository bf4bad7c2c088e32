select *
from "floor"."marts"."enterprise_improvement"
where score_delta is not null
  and not (
      score_delta >= -100
      and score_delta <= 100
  )
