select *
from "floor"."marts"."national_summary"
where filing_rate is not null
  and not (
      filing_rate >= 0
      and filing_rate <= 1
  )
