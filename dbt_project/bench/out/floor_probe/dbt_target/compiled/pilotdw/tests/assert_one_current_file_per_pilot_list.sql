-- data-contract.md: a later file for the same (locality, year, batch) replaces the earlier one, and
-- ingestion marks the earlier rows superseded_by. Two current files for one list would count an
-- enterprise the locality has withdrawn. Returns the lists with more than one current file.
select
    locality_code,
    list_year,
    batch,
    count(distinct file_hash) as current_files
from "floor"."staging"."stg_raw__pilots"
group by locality_code, list_year, batch
having count(distinct file_hash) > 1