select *
from "floor"."staging"."stg_raw__assessments"
where process_score is not null
  and not (
      process_score >= 0
      and process_score <= 100
  )
