select *
from "floor"."marts"."regional_effectiveness"
where component_filing is not null
  and not (
      component_filing >= 0
      and component_filing <= 1
  )
