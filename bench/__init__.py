"""The benchmark of pilotdw (issue 7): `python -m bench.run`. Not part of the test suite."""
