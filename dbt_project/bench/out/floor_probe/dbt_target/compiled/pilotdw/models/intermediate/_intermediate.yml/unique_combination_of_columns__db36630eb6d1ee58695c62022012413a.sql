
select
    uscc, kind, assessed_on,
    count(*) as occurrences
from "floor"."intermediate"."int_assessments_ordered"
group by uscc, kind, assessed_on
having count(*) > 1
