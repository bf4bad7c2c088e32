
select
    uscc, data_year,
    count(*) as occurrences
from "floor"."intermediate"."int_filings_latest"
group by uscc, data_year
having count(*) > 1
