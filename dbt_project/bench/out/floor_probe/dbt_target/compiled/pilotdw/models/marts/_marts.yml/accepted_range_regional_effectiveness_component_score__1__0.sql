select *
from "floor"."marts"."regional_effectiveness"
where component_score is not null
  and not (
      component_score >= 0
      and component_score <= 1
  )
