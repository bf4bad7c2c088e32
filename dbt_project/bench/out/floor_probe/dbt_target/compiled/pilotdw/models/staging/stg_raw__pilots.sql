-- Current pilot-list rows: a resubmitted list (same locality, year, batch) leaves only its latest file.
select
    name                                           as pilot_name,
    name_key,
    uscc                                           as uscc_given,
    seq,
    category,
    district,
    locality_code,
    cast(year as integer)             as list_year,
    cast(batch as integer)            as batch,
    submitted_on,
    source_file,
    file_hash,
    sheet,
    row_number                                     as source_row_number,
    file_mtime,
    loaded_at
from "floor"."raw"."pilots"
where superseded_by is null