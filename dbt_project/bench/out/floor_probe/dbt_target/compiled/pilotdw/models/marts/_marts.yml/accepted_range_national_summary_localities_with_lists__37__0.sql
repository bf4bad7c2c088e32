select *
from "floor"."marts"."national_summary"
where localities_with_lists is not null
  and not (
      localities_with_lists >= 0
      and localities_with_lists <= 37
  )
