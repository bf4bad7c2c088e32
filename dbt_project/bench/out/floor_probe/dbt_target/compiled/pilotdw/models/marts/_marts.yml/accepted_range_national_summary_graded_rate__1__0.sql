select *
from "floor"."marts"."national_summary"
where graded_rate is not null
  and not (
      graded_rate >= 0
      and graded_rate <= 1
  )
