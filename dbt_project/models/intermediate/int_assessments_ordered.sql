-- Assessments in the order metrics.md uses for "earliest" and "latest": by date, then on the same
-- date initial < annual < graded (seed assessment_kinds). A second assessment of the same
-- enterprise, kind and date is a correction: the later file (file_mtime, then path, then row)
-- replaces the earlier, as for filings, and only the surviving one is kept here.
with assessments as (
    select * from {{ ref('stg_raw__assessments') }}
),

kinds as (
    select kind, same_day_precedence from {{ ref('assessment_kinds') }}
),

corrections_ranked as (
    select
        assessments.*,
        row_number() over (
            partition by uscc, kind, assessed_on
            order by
                case when file_mtime is null then 0 else 1 end desc,
                file_mtime desc,
                {{ binary_order('source_file') }} desc,
                source_row_number desc
        ) as correction_rank
    from assessments
),

current_assessments as (
    select * from corrections_ranked where correction_rank = 1
)

select
    current_assessments.uscc,
    current_assessments.kind,
    current_assessments.assessed_on,
    cast(extract(year from current_assessments.assessed_on) as {{ dbt.type_int() }}) as assessed_year,
    kinds.same_day_precedence,
    row_number() over (
        partition by current_assessments.uscc
        order by current_assessments.assessed_on, kinds.same_day_precedence
    ) as assessment_seq,
    current_assessments.total_score,
    current_assessments.foundation_score,
    current_assessments.strategy_score,
    current_assessments.process_score,
    current_assessments.results_score,
    current_assessments.grade,
    current_assessments.evaluator,
    current_assessments.source_file,
    current_assessments.source_row_number
from current_assessments
inner join kinds
    on kinds.kind = current_assessments.kind
