select *
from "floor"."marts"."regional_effectiveness"
where share_improved is not null
  and not (
      share_improved >= 0
      and share_improved <= 1
  )
