-- The indicator list compiled into models (macro filing_indicators) must be exactly the seed
-- catalogue `indicators`: an indicator added to one and not the other would silently lose its
-- *_yoy column. Returns the indicators present on one side only.
with in_macro as (
    {% for indicator in filing_indicators() %}
    select '{{ indicator }}' as indicator{% if not loop.last %} union all{% endif %}
    {% endfor %}
),

in_seed as (
    select indicator from {{ ref('indicators') }}
)

select indicator, 'missing from seed' as problem
from in_macro
where indicator not in (select indicator from in_seed)
union all
select indicator, 'missing from macro filing_indicators' as problem
from in_seed
where indicator not in (select indicator from in_macro)
