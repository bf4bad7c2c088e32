
select
    uscc, qualification, recognized_year,
    count(*) as occurrences
from "floor"."intermediate"."int_qualification_spells"
group by uscc, qualification, recognized_year
having count(*) > 1
