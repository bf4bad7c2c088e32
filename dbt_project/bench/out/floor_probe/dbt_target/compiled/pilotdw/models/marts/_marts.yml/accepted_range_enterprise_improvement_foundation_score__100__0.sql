select *
from "floor"."marts"."enterprise_improvement"
where foundation_score is not null
  and not (
      foundation_score >= 0
      and foundation_score <= 100
  )
