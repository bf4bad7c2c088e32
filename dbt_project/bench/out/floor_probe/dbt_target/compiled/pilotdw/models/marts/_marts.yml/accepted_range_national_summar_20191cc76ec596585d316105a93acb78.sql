select *
from "floor"."marts"."national_summary"
where localities_meeting_batch_target is not null
  and not (
      localities_meeting_batch_target >= 0
      and localities_meeting_batch_target <= 37
  )
