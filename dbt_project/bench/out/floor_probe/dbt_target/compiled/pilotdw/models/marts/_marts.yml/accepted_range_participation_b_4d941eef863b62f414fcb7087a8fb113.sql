select *
from "floor"."marts"."participation_by_locality_year"
where initial_assessment_rate is not null
  and not (
      initial_assessment_rate >= 0
      and initial_assessment_rate <= 1
  )
