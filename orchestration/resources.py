"""The one resource every pilotdw asset uses: where things are, configured from the environment."""
from __future__ import annotations

import sys
from pathlib import Path

import dagster as dg

from pilotdw import settings
class PilotdwHome(dg.ConfigurableResource):
    """Landing folder, pilotdw home and run options. Every path of a build derives from here, so an
    asset never invents a location of its own."""

    landing: str = ""
    home: str = ""
    keep_builds: int = 5
    report_lang: str = "zh"
    quiet: bool = False
    force: bool = False  # rebuild even when nothing landed since the published build

    @classmethod
    def from_env(cls) -> PilotdwHome:
        import os

        return cls(
            landing=str(settings.landing_dir()),
            home=str(settings.home_dir()),
            keep_builds=settings.keep_builds(),
            report_lang=settings.report_lang(),
            quiet=os.environ.get("PILOTDW_QUIET", "") not in ("", "0", "false"),
        )

    @property
    def home_path(self) -> Path:
        return settings.home_dir(self.home or None)

    @property
    def landing_path(self) -> Path:
        return settings.landing_dir(self.landing or None)

    @property
    def archive_dir(self) -> Path:
        return self.home_path / "archive"

    @property
    def builds_dir(self) -> Path:
        return self.home_path / "builds"

    def build_db(self, build_id: str) -> Path:
        """The fresh database a run builds into before anything is published."""
        return self.builds_dir / f"{build_id}.duckdb"

    def build_reports_dir(self, build_id: str) -> Path:
        return self.builds_dir / build_id / "reports"

    @property
    def warehouse(self) -> Path:
        return self.home_path / "warehouse.duckdb"

    @property
    def reports_link(self) -> Path:
        return self.home_path / "reports"

    @property
    def runs_dir(self) -> Path:
        return self.home_path / "runs"

    def say(self, message: str) -> None:
        """Progress for a person at a terminal (stderr, so `pilotdw sql` output stays clean)."""
        if not self.quiet:
            print(message, file=sys.stderr, flush=True)
