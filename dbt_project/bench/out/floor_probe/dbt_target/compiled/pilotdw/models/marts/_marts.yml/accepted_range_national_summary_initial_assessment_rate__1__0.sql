select *
from "floor"."marts"."national_summary"
where initial_assessment_rate is not null
  and not (
      initial_assessment_rate >= 0
      and initial_assessment_rate <= 1
  )
