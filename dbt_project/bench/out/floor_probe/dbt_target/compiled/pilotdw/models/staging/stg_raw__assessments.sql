-- Current assessment rows, renamed for the models.
select
    uscc,
    kind,
    assessed_on,
    cast(total_score as double precision)       as total_score,
    cast(foundation_score as double precision)  as foundation_score,
    cast(strategy_score as double precision)    as strategy_score,
    cast(process_score as double precision)     as process_score,
    cast(results_score as double precision)     as results_score,
    cast(grade as integer)                    as grade,
    evaluator,
    source_file,
    file_hash,
    sheet,
    row_number                                             as source_row_number,
    file_mtime,
    loaded_at
from "floor"."raw"."assessments"
where superseded_by is null