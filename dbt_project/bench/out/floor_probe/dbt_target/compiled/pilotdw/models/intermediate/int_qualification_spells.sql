-- One spell per enterprise, qualification and recognition year: the years in which the
-- qualification is held are recognized_year <= Y < revoked_year (revoked_year NULL: still held).
-- data-contract.md: revoked_year means "qualification no longer held from that year on", so a
-- revocation ends every spell of the same (uscc, qualification) recognised in or before that year,
-- whichever register row carries it; a recognition after the revocation opens a new spell.
-- Duplicate rows of one recognition (the same enterprise in two register files) make one spell.
with registers as (
    select * from "floor"."staging"."stg_raw__registers"
),

recognitions as (
    select
        uscc,
        qualification,
        recognized_year,
        count(*) as register_rows
    from registers
    group by uscc, qualification, recognized_year
),

revocations as (
    select distinct
        uscc,
        qualification,
        recognized_year,
        revoked_year
    from registers
    where revoked_year is not null
)

select
    recognitions.uscc,
    recognitions.qualification,
    recognitions.recognized_year,
    min(revocations.revoked_year)  as revoked_year,
    recognitions.register_rows
from recognitions
left join revocations
    on  revocations.uscc = recognitions.uscc
    and revocations.qualification = recognitions.qualification
    and (
        revocations.revoked_year >= recognitions.recognized_year
        -- a row's own revocation always applies, even when it predates the recognition
        or revocations.recognized_year = recognitions.recognized_year
    )
group by
    recognitions.uscc,
    recognitions.qualification,
    recognitions.recognized_year,
    recognitions.register_rows