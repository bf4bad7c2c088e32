select *
from "floor"."marts"."coverage_by_locality_year"
where cumulative_coverage is not null
  and not (
      cumulative_coverage >= 0
      and cumulative_coverage <= 1
  )
