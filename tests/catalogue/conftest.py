"""The catalogue tests share the end-to-end demo run (one per session, behind a file lock)."""
from tests.e2e.conftest import demo_run  # noqa: F401 — the fixture, reused
