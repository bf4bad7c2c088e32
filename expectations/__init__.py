"""Data-quality gates of pilotdw (Great Expectations on DataFrames queried from the build DuckDB).

Public API: `expectations.checks.check_specs()` (cheap: reads thresholds.yml) and
`expectations.gates.run_checks / record_dbt_results / blocking_failures`. Importing this package
does not import Great Expectations (~12 s); the first validation does.
"""
