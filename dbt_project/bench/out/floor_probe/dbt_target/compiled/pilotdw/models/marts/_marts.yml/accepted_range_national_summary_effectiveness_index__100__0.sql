select *
from "floor"."marts"."national_summary"
where effectiveness_index is not null
  and not (
      effectiveness_index >= 0
      and effectiveness_index <= 100
  )
