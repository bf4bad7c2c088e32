select *
from "floor"."staging"."stg_raw__assessments"
where grade is not null
  and not (
      grade >= 1
      and grade <= 5
  )
