-- metrics.md "Improvement": one row per piloted enterprise (a USCC given or matched on a pilot row)
-- and reporting year Y >= its first pilot year. The piloting locality and the scores (baseline,
-- latest, latest grade) are int_enterprise_year_scores; here they meet the filings:
--   <indicator>_yoy: value(Y) / value(Y-1) - 1 from int_filings_latest; NULL when either value is
--   missing or value(Y-1) = 0.
with scored as (
    select * from {{ ref('int_enterprise_year_scores') }}
),

filings as (
    select * from {{ ref('int_filings_latest') }}
)

select
    scored.uscc,
    scored.locality_code,
    scored.cohort_year,
    scored.year,
    scored.baseline_score,
    scored.latest_score,
    scored.latest_score - scored.baseline_score            as score_delta,
    scored.latest_score - scored.baseline_score > 0        as improved,
    scored.latest_grade,
    {% for indicator in filing_indicators() -%}
    case
        when previous.{{ indicator }} is null or current_year.{{ indicator }} is null
             or previous.{{ indicator }} = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.{{ indicator }} - previous.{{ indicator }}) / previous.{{ indicator }}
    end                                                    as {{ indicator }}_yoy,
    {% endfor -%}
    scored.foundation_score,
    scored.strategy_score,
    scored.process_score,
    scored.results_score,
    scored.register_locality_code,
    scored.baseline_assessed_on,
    scored.latest_assessed_on,
    scored.latest_kind,
    scored.latest_graded_on,
    current_year.uscc is not null                          as filed,
    current_year.high_value_invention_patents
from scored
left join filings as current_year
    on current_year.uscc = scored.uscc and current_year.data_year = scored.year
left join filings as previous
    on previous.uscc = scored.uscc and previous.data_year = scored.year - 1
order by scored.uscc, scored.year
