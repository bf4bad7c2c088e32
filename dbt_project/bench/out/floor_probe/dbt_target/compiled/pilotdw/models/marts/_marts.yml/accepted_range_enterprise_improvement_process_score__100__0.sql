select *
from "floor"."marts"."enterprise_improvement"
where process_score is not null
  and not (
      process_score >= 0
      and process_score <= 100
  )
