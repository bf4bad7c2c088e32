-- Current assessment rows, renamed for the models.
select
    uscc,
    kind,
    assessed_on,
    cast(total_score as {{ pilotdw.type_double() }})       as total_score,
    cast(foundation_score as {{ pilotdw.type_double() }})  as foundation_score,
    cast(strategy_score as {{ pilotdw.type_double() }})    as strategy_score,
    cast(process_score as {{ pilotdw.type_double() }})     as process_score,
    cast(results_score as {{ pilotdw.type_double() }})     as results_score,
    cast(grade as {{ dbt.type_int() }})                    as grade,
    evaluator,
    source_file,
    file_hash,
    sheet,
    row_number                                             as source_row_number,
    file_mtime,
    loaded_at
from {{ source('raw', 'assessments') }}
where superseded_by is null
