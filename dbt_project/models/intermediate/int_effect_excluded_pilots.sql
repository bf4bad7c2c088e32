-- Pilots outside every eligible base (metrics.md "Pilot effect"): listed by a locality but never in
-- E(L,Y) of any locality and year, so no comparable enterprise exists for them and the estimate
-- leaves them out (marts.pilot_effect.excluded_pilots counts them). Unresolved rows (no USCC) are
-- never eligible and are here, one per distinct normalised name within the locality, as every
-- count of pilots counts them. One row per listing locality and pilot.
with pilots as (
    select locality_code, pilot_key, uscc, list_year
    from {{ ref('int_locality_pilot_years') }}
),

ever_eligible as (
    select distinct uscc from {{ ref('int_eligible_enterprise_years') }}
)

select
    pilots.locality_code,
    pilots.pilot_key,
    max(pilots.uscc)      as uscc,
    min(pilots.list_year) as first_list_year
from pilots
left join ever_eligible
    on ever_eligible.uscc = pilots.uscc
where ever_eligible.uscc is null
group by pilots.locality_code, pilots.pilot_key
