
    
    



select localities_on_track
from "floor"."marts"."national_summary"
where localities_on_track is null


