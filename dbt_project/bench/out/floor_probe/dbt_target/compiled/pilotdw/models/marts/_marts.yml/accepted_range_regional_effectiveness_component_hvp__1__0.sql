select *
from "floor"."marts"."regional_effectiveness"
where component_hvp is not null
  and not (
      component_hvp >= 0
      and component_hvp <= 1
  )
