select *
from "floor"."marts"."regional_effectiveness"
where component_coverage is not null
  and not (
      component_coverage >= 0
      and component_coverage <= 1
  )
