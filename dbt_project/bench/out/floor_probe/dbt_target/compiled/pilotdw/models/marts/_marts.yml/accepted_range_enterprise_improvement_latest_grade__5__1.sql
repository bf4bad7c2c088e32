select *
from "floor"."marts"."enterprise_improvement"
where latest_grade is not null
  and not (
      latest_grade >= 1
      and latest_grade <= 5
  )
