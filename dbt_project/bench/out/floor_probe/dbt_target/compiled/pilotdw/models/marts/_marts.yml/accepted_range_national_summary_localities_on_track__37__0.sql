select *
from "floor"."marts"."national_summary"
where localities_on_track is not null
  and not (
      localities_on_track >= 0
      and localities_on_track <= 37
  )
