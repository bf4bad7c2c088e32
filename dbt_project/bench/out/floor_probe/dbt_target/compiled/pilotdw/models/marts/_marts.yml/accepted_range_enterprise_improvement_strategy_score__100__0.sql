select *
from "floor"."marts"."enterprise_improvement"
where strategy_score is not null
  and not (
      strategy_score >= 0
      and strategy_score <= 100
  )
