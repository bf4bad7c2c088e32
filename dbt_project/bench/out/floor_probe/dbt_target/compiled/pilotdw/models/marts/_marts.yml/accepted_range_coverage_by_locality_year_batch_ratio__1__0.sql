select *
from "floor"."marts"."coverage_by_locality_year"
where batch_ratio is not null
  and not (
      batch_ratio >= 0
      and batch_ratio <= 1
  )
