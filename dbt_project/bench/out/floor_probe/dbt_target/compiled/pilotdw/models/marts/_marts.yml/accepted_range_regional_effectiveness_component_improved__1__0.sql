select *
from "floor"."marts"."regional_effectiveness"
where component_improved is not null
  and not (
      component_improved >= 0
      and component_improved <= 1
  )
