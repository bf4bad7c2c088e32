select *
from "floor"."staging"."stg_raw__filings"
where high_value_invention_patents is not null
  and not (
      high_value_invention_patents >= 0
      and 1 = 1
  )
