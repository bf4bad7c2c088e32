select *
from "floor"."marts"."enterprise_improvement"
where results_score is not null
  and not (
      results_score >= 0
      and results_score <= 100
  )
