-- Current filing rows (every submission; the latest per enterprise and data year is chosen in
-- int_filings_latest), renamed for the models.
select
    uscc,
    cast(year as integer)   as data_year,
    submitted_on,
    cast(revenue as double precision) as revenue,
    cast(rd_expense as double precision) as rd_expense,
    cast(invention_applications as double precision) as invention_applications,
    cast(invention_grants as double precision) as invention_grants,
    cast(valid_invention_patents as double precision) as valid_invention_patents,
    cast(high_value_invention_patents as double precision) as high_value_invention_patents,
    cast(pct_applications as double precision) as pct_applications,
    cast(trademark_registrations as double precision) as trademark_registrations,
    cast(ip_staff as double precision) as ip_staff,
    cast(ip_budget as double precision) as ip_budget,
    cast(ip_transaction_income as double precision) as ip_transaction_income,
    cast(ip_pledge_financing as double precision) as ip_pledge_financing,
    cast(patent_product_revenue as double precision) as patent_product_revenue,
    source_file,
    file_hash,
    sheet,
    row_number                           as source_row_number,
    file_mtime,
    loaded_at
from "floor"."raw"."filings"
where superseded_by is null