# pilotdw — two commands from a fresh clone: `make demo` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON ?= python3.11
# uv from PATH, else the uv module pip installed for PYTHON (`make setup` installs it when missing).
UV := $(shell command -v uv 2>/dev/null || echo "$(PYTHON) -m uv")
VENV := .venv
BIN := $(VENV)/bin
DEMO_LANDING ?= demo_landing
DEMO_HOME ?= demo_home

export DO_NOT_TRACK := 1
export GX_ANALYTICS_ENABLED := false
export PYTHONDONTWRITEBYTECODE := 1

.PHONY: help setup catalogue demo demo-data test test-fast browser postgres dev bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

setup: $(BIN)/.synced dbt_project/target/manifest.json  ## install everything (idempotent): uv, the locked environment, the dbt manifest

$(BIN)/.synced: pyproject.toml uv.lock
	@command -v uv >/dev/null 2>&1 || $(PYTHON) -m uv --version >/dev/null 2>&1 || $(PYTHON) -m pip install --quiet uv
	$(UV) sync --locked --compile-bytecode --python $(PYTHON)
	@touch $@

# dagster-dbt loads this manifest instead of parsing the project on every run; the nightly dbt build
# starts from the partial-parse state saved beside it (orchestration/dbt_parse.py says why).
dbt_project/target/manifest.json: $(BIN)/.synced $(shell find dbt_project -name '*.sql' -o -name '*.yml' -o -name '*.csv' -o -name '*.md' | grep -v '/target/')
	$(BIN)/python -m pilotdw.orchestration.dbt_parse
	@touch $@

# The catalogue (catalogue/*.yml) states every column once; this writes what is generated from it
# (dbt doc blocks and doc() references, sources/raw_schema.sql, docs/metrics.md's column tables),
# then re-parses the dbt manifest. tests/catalogue fails when a generated file is stale.
catalogue: $(BIN)/.synced  ## regenerate the files generated from catalogue/ (after editing it)
	$(BIN)/python -m pilotdw.catalogue.generate
	@$(MAKE) --no-print-directory dbt_project/target/manifest.json

demo: setup  ## make realistic demo data, run the nightly job on it, publish warehouse and report
	rm -rf $(DEMO_LANDING)
	$(BIN)/pilotdw demo-data $(DEMO_LANDING)
	$(BIN)/pilotdw run --landing $(DEMO_LANDING) --home $(DEMO_HOME)
	@echo
	@echo "Warehouse: $(DEMO_HOME)/warehouse.duckdb   Reports: $(DEMO_HOME)/reports/"
	@echo "Try:  $(BIN)/pilotdw sql \"SELECT * FROM marts.national_summary\" --home $(DEMO_HOME)"

test: setup browser postgres  ## run the whole test suite (the same as CI)
	$(BIN)/pytest -n 2 --dist loadfile

test-fast: setup  ## the suite without the slow end-to-end tests
	$(BIN)/pytest -n 2 --dist loadfile -m "not slow"

browser:  ## Debian's chromium and CJK fonts, for the report rendering tests
	bash scripts/install-browser.sh

postgres:  ## Debian's PostgreSQL server, for the PostgreSQL-engine tests (tests/postgres start it)
	bash scripts/install-postgres.sh

# The UI reads the same Dagster instance as `pilotdw run --home $(DEMO_HOME)`: DAGSTER_HOME is
# orchestration/ (its dagster.yaml), storage under $(DEMO_HOME)/dagster. Under `dagster dev`, dagster-dbt's
# prepare_if_dev runs `dbt parse` with the `dbt` on PATH (so the venv's bin goes first), and the dbt
# profile needs PILOTDW_DB_PATH even to parse (each run sets its own build file). A fresh SQLite
# instance is created once, before `dagster dev` starts its webserver and daemon together: two
# processes creating it at the same moment stamp two alembic heads, and neither can open it after.
dev: setup  ## the Dagster UI on http://127.0.0.1:3000 over the demo data
	@test -d $(DEMO_LANDING) || $(BIN)/pilotdw demo-data $(DEMO_LANDING)
	mkdir -p $(DEMO_HOME)/dagster
	export PATH=$(CURDIR)/$(BIN):$$PATH PILOTDW_DB_PATH=build.duckdb \
		DAGSTER_HOME=$(CURDIR)/orchestration PILOTDW_DAGSTER_DIR=$(CURDIR)/$(DEMO_HOME)/dagster \
		PILOTDW_LANDING=$(CURDIR)/$(DEMO_LANDING) PILOTDW_HOME=$(CURDIR)/$(DEMO_HOME); \
	test -f $(DEMO_HOME)/dagster/schedules/schedules.db || $(BIN)/dagster instance migrate >/dev/null; \
	exec $(BIN)/dagster dev -h 127.0.0.1 -p 3000

bench: setup  ## the benchmark (not part of make test): national scale and beyond
	$(BIN)/python -m bench.run

clean:  ## remove demo output and build artefacts (keeps .venv)
	rm -rf $(DEMO_LANDING) $(DEMO_HOME) dbt_project/target dbt_project/logs .pytest_cache
