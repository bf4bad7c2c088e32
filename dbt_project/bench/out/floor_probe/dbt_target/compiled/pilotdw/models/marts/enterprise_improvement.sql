-- metrics.md "Improvement": one row per piloted enterprise (a USCC given or matched on a pilot row)
-- and reporting year Y >= its first pilot year. Assessment order ("earliest", "latest", same date:
-- graded > annual > initial) is int_assessments_ordered.assessment_seq.
--   baseline_score: earliest initial assessment, whatever its date (a fixed reference per enterprise)
--   latest_score and the four module scores: the latest assessment of any kind dated in or before Y
--   latest_grade: the latest graded evaluation dated in or before Y
--   <indicator>_yoy: value(Y) / value(Y-1) - 1 from int_filings_latest; NULL when either value is
--   missing or value(Y-1) = 0.
-- locality_code is the locality whose list first piloted the enterprise (several that year: its
-- register locality if among them, else the lowest code); register_locality_code is where it belongs.
with membership as (
    select * from "floor"."intermediate"."int_pilot_membership" where uscc is not null
),

years as (
    select year from "floor"."intermediate"."int_years"
),

assessments as (
    select * from "floor"."intermediate"."int_assessments_ordered"
),

filings as (
    select * from "floor"."intermediate"."int_filings_latest"
),

first_lists as (
    select
        uscc,
        list_year,
        locality_code,
        enterprise_locality_code,
        row_number() over (
            partition by uscc
            order by
                list_year,
                case when locality_code = enterprise_locality_code then 0 else 1 end,
                locality_code
        ) as list_order
    from membership
),

piloted as (
    select
        uscc,
        list_year                 as cohort_year,
        locality_code,
        enterprise_locality_code  as register_locality_code
    from first_lists
    where list_order = 1
),

enterprise_years as (
    select
        piloted.uscc,
        piloted.locality_code,
        piloted.register_locality_code,
        piloted.cohort_year,
        years.year
    from piloted
    inner join years
        on years.year >= piloted.cohort_year
),

baseline as (
    select uscc, total_score, assessed_on
    from (
        select
            uscc,
            total_score,
            assessed_on,
            row_number() over (partition by uscc order by assessment_seq) as initial_order
        from assessments
        where kind = 'initial'
    ) as initials
    where initial_order = 1
),

latest_seq as (
    select
        enterprise_years.uscc,
        enterprise_years.year,
        max(assessments.assessment_seq)                                           as any_seq,
        max(case when assessments.kind = 'graded' then assessments.assessment_seq end) as graded_seq
    from enterprise_years
    inner join assessments
        on  assessments.uscc = enterprise_years.uscc
        and assessments.assessed_year <= enterprise_years.year
    group by enterprise_years.uscc, enterprise_years.year
),

scored as (
    select
        enterprise_years.uscc,
        enterprise_years.locality_code,
        enterprise_years.register_locality_code,
        enterprise_years.cohort_year,
        enterprise_years.year,
        baseline.total_score                       as baseline_score,
        baseline.assessed_on                       as baseline_assessed_on,
        latest.total_score                         as latest_score,
        latest.assessed_on                         as latest_assessed_on,
        latest.kind                                as latest_kind,
        latest.foundation_score,
        latest.strategy_score,
        latest.process_score,
        latest.results_score,
        latest_graded.grade                        as latest_grade,
        latest_graded.assessed_on                  as latest_graded_on
    from enterprise_years
    left join baseline
        on baseline.uscc = enterprise_years.uscc
    left join latest_seq
        on latest_seq.uscc = enterprise_years.uscc and latest_seq.year = enterprise_years.year
    left join assessments as latest
        on latest.uscc = latest_seq.uscc and latest.assessment_seq = latest_seq.any_seq
    left join assessments as latest_graded
        on latest_graded.uscc = latest_seq.uscc and latest_graded.assessment_seq = latest_seq.graded_seq
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
    case
        when previous.revenue is null or current_year.revenue is null
             or previous.revenue = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.revenue - previous.revenue) / previous.revenue
    end                                                    as revenue_yoy,
    case
        when previous.rd_expense is null or current_year.rd_expense is null
             or previous.rd_expense = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.rd_expense - previous.rd_expense) / previous.rd_expense
    end                                                    as rd_expense_yoy,
    case
        when previous.invention_applications is null or current_year.invention_applications is null
             or previous.invention_applications = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.invention_applications - previous.invention_applications) / previous.invention_applications
    end                                                    as invention_applications_yoy,
    case
        when previous.invention_grants is null or current_year.invention_grants is null
             or previous.invention_grants = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.invention_grants - previous.invention_grants) / previous.invention_grants
    end                                                    as invention_grants_yoy,
    case
        when previous.valid_invention_patents is null or current_year.valid_invention_patents is null
             or previous.valid_invention_patents = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.valid_invention_patents - previous.valid_invention_patents) / previous.valid_invention_patents
    end                                                    as valid_invention_patents_yoy,
    case
        when previous.high_value_invention_patents is null or current_year.high_value_invention_patents is null
             or previous.high_value_invention_patents = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.high_value_invention_patents - previous.high_value_invention_patents) / previous.high_value_invention_patents
    end                                                    as high_value_invention_patents_yoy,
    case
        when previous.pct_applications is null or current_year.pct_applications is null
             or previous.pct_applications = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.pct_applications - previous.pct_applications) / previous.pct_applications
    end                                                    as pct_applications_yoy,
    case
        when previous.trademark_registrations is null or current_year.trademark_registrations is null
             or previous.trademark_registrations = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.trademark_registrations - previous.trademark_registrations) / previous.trademark_registrations
    end                                                    as trademark_registrations_yoy,
    case
        when previous.ip_staff is null or current_year.ip_staff is null
             or previous.ip_staff = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.ip_staff - previous.ip_staff) / previous.ip_staff
    end                                                    as ip_staff_yoy,
    case
        when previous.ip_budget is null or current_year.ip_budget is null
             or previous.ip_budget = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.ip_budget - previous.ip_budget) / previous.ip_budget
    end                                                    as ip_budget_yoy,
    case
        when previous.ip_transaction_income is null or current_year.ip_transaction_income is null
             or previous.ip_transaction_income = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.ip_transaction_income - previous.ip_transaction_income) / previous.ip_transaction_income
    end                                                    as ip_transaction_income_yoy,
    case
        when previous.ip_pledge_financing is null or current_year.ip_pledge_financing is null
             or previous.ip_pledge_financing = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.ip_pledge_financing - previous.ip_pledge_financing) / previous.ip_pledge_financing
    end                                                    as ip_pledge_financing_yoy,
    case
        when previous.patent_product_revenue is null or current_year.patent_product_revenue is null
             or previous.patent_product_revenue = 0 then null
        -- (v(Y) - v(Y-1)) / v(Y-1): the same as v(Y) / v(Y-1) - 1, with one rounding less
        else (current_year.patent_product_revenue - previous.patent_product_revenue) / previous.patent_product_revenue
    end                                                    as patent_product_revenue_yoy,
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