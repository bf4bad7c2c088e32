"""The one resource every pilotdw asset uses: where things are (orchestration/home.py), configured
from the environment."""
from __future__ import annotations

import dagster as dg

from pilotdw import settings
from pilotdw.orchestration.home import HomeLayout


class PilotdwHome(HomeLayout, dg.ConfigurableResource):
    """Landing folder, pilotdw home and run options; the paths are HomeLayout's."""

    landing: str = ""
    home: str = ""
    keep_builds: int = 5
    report_lang: str = "zh"
    quiet: bool = False
    force: bool = False  # rebuild even when nothing landed since the published build
    warehouse_url: str = ""  # postgresql://… : build and publish on that server (orchestration/engine.py)

    @classmethod
    def from_env(cls) -> PilotdwHome:
        import os

        return cls(
            landing=str(settings.landing_dir()),
            home=str(settings.home_dir()),
            keep_builds=settings.keep_builds(),
            report_lang=settings.report_lang(),
            quiet=os.environ.get("PILOTDW_QUIET", "") not in ("", "0", "false"),
            warehouse_url=settings.warehouse_url(),
        )
