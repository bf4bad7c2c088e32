-- Current register rows (superseded versions of a landing path dropped), renamed for the models.
select
    uscc,
    name                                           as enterprise_name,
    name_key,
    qualification,
    cast(recognized_year as integer)  as recognized_year,
    cast(revoked_year as integer)     as revoked_year,
    locality_code,
    locality_code_derived,
    locality_flag                                  as locality_disagrees_with_uscc,
    source_file,
    file_hash,
    sheet,
    row_number                                     as source_row_number,
    file_mtime,
    loaded_at
from "floor"."raw"."registers"
where superseded_by is null