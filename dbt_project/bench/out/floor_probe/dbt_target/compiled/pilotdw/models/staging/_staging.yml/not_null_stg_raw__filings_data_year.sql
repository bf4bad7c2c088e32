
    
    



select data_year
from "floor"."staging"."stg_raw__filings"
where data_year is null


