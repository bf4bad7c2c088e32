-- The panel of marts.pilot_effect (metrics.md "Pilot effect"): one row per enterprise and data year
-- with a filing (its latest version, int_filings_latest), for every enterprise in the eligible base
-- E(L,Y) of any year. cohort_year is the enterprise's first pilot year in any locality's list; NULL
-- means never piloted, a comparison enterprise for every year. locality_code is the register
-- locality, the one E(L,Y) counts the enterprise in (int_enterprises), so a locality's estimate
-- compares its own enterprises. Pilots outside every eligible base are not here:
-- int_effect_excluded_pilots lists them.
with ever_eligible as (
    select distinct uscc from {{ ref('int_eligible_enterprise_years') }}
),

enterprises as (
    select uscc, locality_code from {{ ref('int_enterprises') }}
),

cohorts as (
    select uscc, min(list_year) as cohort_year
    from {{ ref('int_locality_pilot_years') }}
    where uscc is not null
    group by uscc
),

filings as (
    select * from {{ ref('int_filings_latest') }}
)

select
    filings.uscc,
    enterprises.locality_code,
    filings.data_year,
    cohorts.cohort_year,
    {% for indicator in filing_indicators() -%}
    filings.{{ indicator }}{{ "," if not loop.last }}
    {% endfor -%}
from filings
inner join ever_eligible
    on ever_eligible.uscc = filings.uscc
inner join enterprises
    on enterprises.uscc = filings.uscc
left join cohorts
    on cohorts.uscc = filings.uscc
