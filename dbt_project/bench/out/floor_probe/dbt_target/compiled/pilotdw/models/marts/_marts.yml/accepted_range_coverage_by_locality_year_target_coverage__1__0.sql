select *
from "floor"."marts"."coverage_by_locality_year"
where target_coverage is not null
  and not (
      target_coverage >= 0
      and target_coverage <= 1
  )
