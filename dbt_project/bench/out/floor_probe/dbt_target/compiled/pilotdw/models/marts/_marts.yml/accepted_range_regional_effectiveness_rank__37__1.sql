select *
from "floor"."marts"."regional_effectiveness"
where rank is not null
  and not (
      rank >= 1
      and rank <= 37
  )
