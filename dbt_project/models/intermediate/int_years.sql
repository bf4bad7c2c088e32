-- The reporting years: P0 to the latest year with data, where "latest year with data" is the
-- greatest of the pilot-list years, filing data years and assessment years, never below P0.
-- (Register years are eligibility facts, not programme activity: they do not extend the range.)
{%- set p0 = var('p0') | int %}
{%- set p1 = var('p1') | int %}
{%- set max_span = 100 %}
with data_years as (
    select list_year as year from {{ ref('stg_raw__pilots') }}
    union all
    select data_year as year from {{ ref('int_filings_latest') }}
    union all
    select assessed_year as year from {{ ref('int_assessments_ordered') }}
),

bounds as (
    select
        case
            when max(year) is null or max(year) < {{ p0 }} then {{ p0 }}
            else max(year)
        end as latest_year
    from data_years
),

offsets as (
    {{ dbt.generate_series(max_span) }}
)

select
    cast({{ p0 }} + offsets.generated_number - 1 as {{ dbt.type_int() }}) as year,
    cast({{ p0 }} + offsets.generated_number - 1 <= {{ p1 }} as {{ dbt.type_boolean() }}) as is_programme_year
from offsets
cross join bounds
where {{ p0 }} + offsets.generated_number - 1 <= bounds.latest_year
