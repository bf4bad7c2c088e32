select *
from "floor"."marts"."enterprise_improvement"
where baseline_score is not null
  and not (
      baseline_score >= 0
      and baseline_score <= 100
  )
