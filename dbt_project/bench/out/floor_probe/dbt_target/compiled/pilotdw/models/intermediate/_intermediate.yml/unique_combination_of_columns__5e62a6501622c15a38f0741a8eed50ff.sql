
select
    uscc, assessment_seq,
    count(*) as occurrences
from "floor"."intermediate"."int_assessments_ordered"
group by uscc, assessment_seq
having count(*) > 1
