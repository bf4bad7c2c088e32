select *
from "floor"."marts"."national_summary"
where cumulative_coverage is not null
  and not (
      cumulative_coverage >= 0
      and cumulative_coverage <= 1
  )
