select *
from "floor"."marts"."enterprise_improvement"
where latest_score is not null
  and not (
      latest_score >= 0
      and latest_score <= 100
  )
