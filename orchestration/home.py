"""Where everything of a pilotdw home is, without Dagster: `HomeLayout` gives the paths of a home
(archive, builds, warehouse, reports, runs) and its progress line; `PilotdwHome`, the Dagster resource
of every asset (orchestration/resources.py), and `Home`, what `pilotdw run` uses before it decides to
start the job at all, share it, so a path is stated once."""
from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

from pilotdw import settings


class HomeLayout:
    """Paths of a home; the subclass provides `landing`, `home`, `quiet`, `force`, `keep_builds`,
    `report_lang` and `warehouse_url`. Every path of a build derives from here, so an asset never
    invents a location of its own."""

    landing: str
    home: str
    quiet: bool
    force: bool
    warehouse_url: str

    def engine(self):
        """Where builds are made and published: DuckDB files, or a PostgreSQL server."""
        from pilotdw.orchestration.engine import engine_for

        return engine_for(self)

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

    def build_dir(self, build_id: str) -> Path:
        """The build's own folder beside its database: its reports, dbt's log, target and working folder."""
        return self.builds_dir / build_id

    def build_reports_dir(self, build_id: str) -> Path:
        return self.build_dir(build_id) / "reports"

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


@dataclass(frozen=True)
class Home(HomeLayout):
    """A home as `pilotdw run` opens it (the same options as the resource)."""

    landing: str = ""
    home: str = ""
    keep_builds: int = 5
    report_lang: str = "zh"
    quiet: bool = False
    force: bool = False
    warehouse_url: str = ""

    def resource(self):
        """The Dagster resource of the same home (imports Dagster)."""
        from pilotdw.orchestration.resources import PilotdwHome

        return PilotdwHome(landing=self.landing, home=self.home, keep_builds=self.keep_builds, report_lang=self.report_lang,
                           quiet=self.quiet, force=self.force, warehouse_url=self.warehouse_url)
