select *
from "floor"."staging"."stg_raw__assessments"
where results_score is not null
  and not (
      results_score >= 0
      and results_score <= 100
  )
