select *
from "floor"."marts"."national_summary"
where share_improved is not null
  and not (
      share_improved >= 0
      and share_improved <= 1
  )
