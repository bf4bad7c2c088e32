select *
from "floor"."staging"."stg_raw__assessments"
where total_score is not null
  and not (
      total_score >= 0
      and total_score <= 100
  )
