-- The 37 localities of the programme (seed localities), for joins and labels.
select
    locality_code,
    locality_name,
    locality_name_en,
    nullif(parent_code, '')                       as parent_code,
    kind                                          as locality_kind
from "floor"."seeds"."localities"