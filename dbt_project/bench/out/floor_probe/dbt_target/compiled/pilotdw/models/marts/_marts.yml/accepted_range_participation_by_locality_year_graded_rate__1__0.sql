select *
from "floor"."marts"."participation_by_locality_year"
where graded_rate is not null
  and not (
      graded_rate >= 0
      and graded_rate <= 1
  )
