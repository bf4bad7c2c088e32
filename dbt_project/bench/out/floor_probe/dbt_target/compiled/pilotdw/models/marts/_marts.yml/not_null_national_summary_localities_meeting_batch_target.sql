
    
    



select localities_meeting_batch_target
from "floor"."marts"."national_summary"
where localities_meeting_batch_target is null


