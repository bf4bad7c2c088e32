"""Reports: the national yearly evaluation report and the per-locality cards, rendered from the
published warehouse's marts (see docs/reports.md). Entry point: reports.render.write_reports."""
