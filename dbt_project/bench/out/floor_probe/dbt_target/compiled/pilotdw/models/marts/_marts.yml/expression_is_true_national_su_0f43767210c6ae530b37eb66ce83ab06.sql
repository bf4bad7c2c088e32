
select *
from "floor"."marts"."national_summary"
where not coalesce(((cumulative_pilots = 0 and filing_rate is null) or abs(filing_rate * cumulative_pilots - filed) < 1e-6), false)
