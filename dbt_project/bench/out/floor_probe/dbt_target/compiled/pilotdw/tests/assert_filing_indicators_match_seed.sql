-- The indicator list compiled into models (macro filing_indicators) must be exactly the seed
-- catalogue `indicators`: an indicator added to one and not the other would silently lose its
-- *_yoy column. Returns the indicators present on one side only.
with in_macro as (
    
    select 'revenue' as indicator union all
    
    select 'rd_expense' as indicator union all
    
    select 'invention_applications' as indicator union all
    
    select 'invention_grants' as indicator union all
    
    select 'valid_invention_patents' as indicator union all
    
    select 'high_value_invention_patents' as indicator union all
    
    select 'pct_applications' as indicator union all
    
    select 'trademark_registrations' as indicator union all
    
    select 'ip_staff' as indicator union all
    
    select 'ip_budget' as indicator union all
    
    select 'ip_transaction_income' as indicator union all
    
    select 'ip_pledge_financing' as indicator union all
    
    select 'patent_product_revenue' as indicator
    
),

in_seed as (
    select indicator from "floor"."seeds"."indicators"
)

select indicator, 'missing from seed' as problem
from in_macro
where indicator not in (select indicator from in_seed)
union all
select indicator, 'missing from macro filing_indicators' as problem
from in_seed
where indicator not in (select indicator from in_macro)