# The two commands: `make run` and `make test`. Everything else is for development.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run test lint format schema token lock stop-db clean bench

run: $(STAMP)  ## Serve on HOST:PORT (embedded PostgreSQL unless DATABASE_URL is set)
	$(BIN)/dashboards-api serve

test: $(STAMP)  ## The whole suite against real PostgreSQL (TEST_DATABASE_URL or embedded)
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)  ## ruff, formatting, mypy, and the exported schema is current
	$(BIN)/ruff check app db tests
	$(BIN)/ruff format --check app db tests
	$(BIN)/mypy
	$(BIN)/dashboards-api export-schema | diff -u schema.graphql - >/dev/null \
		|| (echo "schema.graphql is stale: run make schema"; exit 1)

format: $(STAMP)
	$(BIN)/ruff check --fix app db tests
	$(BIN)/ruff format app db tests

schema: $(STAMP)  ## Re-export schema.graphql from the code
	$(BIN)/dashboards-api export-schema --output schema.graphql

.PHONY: persisted-operations
persisted-operations: $(STAMP)  ## persisted-operations.json from examples/operations (docs/graphql-limits.md)
	$(BIN)/dashboards-api persist-operations examples/operations

token: $(STAMP)  ## A development token for tenant "demo" (edit + admin)
	@$(BIN)/dashboards-api token --tenant demo --user dev-user

bench: $(STAMP)  ## Benchmark against a raw baseline and PostGraphile; writes bench/RESULTS.md
	command -v wrk >/dev/null || (apt-get update -qq && apt-get install -y -qq wrk)
	if [ -f bench/postgraphile/package.json ]; then \
		cd bench/postgraphile && npm install --no-audit --no-fund; fi
	$(BIN)/python -m bench.run $(BENCH_ARGS)

.PHONY: contract
contract:  ## schema.graphql as a contract: TypeScript from examples/operations, breaking changes
	.ci/schema-contract/run

.PHONY: fuzz
FUZZ_EXAMPLES ?= 200
fuzz: $(STAMP)  ## Schemathesis, long run: REST against /openapi.json and GraphQL against /graphql
	FUZZ_EXAMPLES=$(FUZZ_EXAMPLES) $(BIN)/pytest -p no:cacheprovider $(PYTEST_ARGS) \
		tests/test_fuzz_rest.py tests/test_fuzz_graphql.py

$(STAMP): pyproject.toml requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(sys.version_info < (3, 11))' \
		|| (echo "Python 3.11 or newer is needed (set PYTHON=...)"; exit 1)
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.lock
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps -e .
	touch $(STAMP)

stop-db:  ## Stop the embedded PostgreSQL (it keeps running between `make run`s)
	$(BIN)/python -m db.embedded --stop .data

lock:  ## Re-pin every dependency (after changing pyproject.toml)
	rm -rf .lock-venv && $(PYTHON) -m venv .lock-venv
	.lock-venv/bin/python -m pip install --quiet --disable-pip-version-check ".[dev]"
	.lock-venv/bin/python -m pip freeze --exclude dashboards-api > requirements.lock
	rm -rf .lock-venv

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
