-- One row per piloted enterprise and reporting year Y >= its first pilot year, with the scores of
-- metrics.md "Improvement" (baseline, latest, latest grade) and where the enterprise was piloted.
-- Split from marts.enterprise_improvement (issue 7): the scores' joins and the filings' joins in one
-- query needed more than 2 GB of DuckDB memory at 40× national scale; as two tables each fits.
-- Assessment order ("earliest", "latest", same date:
-- graded > annual > initial) is int_assessments_ordered.assessment_seq.
--   baseline_score: earliest initial assessment, whatever its date (a fixed reference per enterprise)
--   latest_score and the four module scores: the latest assessment of any kind dated in or before Y
--   latest_grade: the latest graded evaluation dated in or before Y
-- locality_code is the locality whose list first piloted the enterprise (several that year: its
-- register locality if among them, else the lowest code); register_locality_code is where it belongs.
with membership as (
    select * from {{ ref('int_pilot_membership') }} where uscc is not null
),

years as (
    select year from {{ ref('int_years') }}
),

assessments as (
    select * from {{ ref('int_assessments_ordered') }}
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

select * from scored
