select *
from "floor"."marts"."participation_by_locality_year"
where filing_rate is not null
  and not (
      filing_rate >= 0
      and filing_rate <= 1
  )
