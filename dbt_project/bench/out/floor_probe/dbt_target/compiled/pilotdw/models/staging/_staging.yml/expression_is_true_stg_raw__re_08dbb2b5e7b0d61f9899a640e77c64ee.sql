
select *
from "floor"."staging"."stg_raw__registers"
where not coalesce((revoked_year is null or revoked_year >= recognized_year), false)
