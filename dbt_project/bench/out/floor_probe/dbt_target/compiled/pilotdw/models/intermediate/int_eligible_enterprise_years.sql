-- E(L,Y) of metrics.md: the enterprises of locality L (their register locality, int_enterprises)
-- holding at least one national qualification in year Y, i.e. a spell with
-- recognized_year <= Y and (revoked_year is NULL or revoked_year > Y). One row per enterprise and year.
with spells as (
    select * from "floor"."intermediate"."int_qualification_spells"
),

years as (
    select year from "floor"."intermediate"."int_years"
),

enterprises as (
    select uscc, locality_code from "floor"."intermediate"."int_enterprises"
)

select
    enterprises.locality_code,
    years.year,
    spells.uscc,
    count(distinct spells.qualification) as qualifications_held
from spells
inner join years
    on  spells.recognized_year <= years.year
    and (spells.revoked_year is null or spells.revoked_year > years.year)
inner join enterprises
    on enterprises.uscc = spells.uscc
group by enterprises.locality_code, years.year, spells.uscc