# serviceloop — the two commands a newcomer needs are `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000
PG_URL ?= postgres://postgres@127.0.0.1:5432/test
# more pytest options for make test, test-postgres and test-browser (CI: --durations=25)
PYTEST_ARGS ?=

.PHONY: help run test test-postgres test-browser api-contract lint format bench bench-smoke messages install install-dev clean

help:
	@echo "make run            set up, migrate, load demo data once, serve on http://$(HOST):$(PORT) with the worker"
	@echo "make test           install test tools and run the whole suite (SQLite)"
	@echo "make test-postgres  the suite against PostgreSQL (PG_URL=$(PG_URL))"
	@echo "make test-browser   Playwright journeys in Debian's chromium"
	@echo "make api-contract   schemathesis against a live server, on every API operation"
	@echo "make lint           ruff, import contracts, migrations check, mypy"
	@echo "make bench          benchmarks on PostgreSQL (BENCH_TICKETS, DATABASE_URL)"
	@echo "make messages       update and compile the translation catalogues"

$(VENV)/.created:
	@python=$$(scripts/find-python) && "$$python" -m venv $(VENV)
	@$(BIN)/pip install --quiet --upgrade pip
	@touch $@

$(VENV)/.installed: $(VENV)/.created pyproject.toml
	$(BIN)/pip install --quiet -e .
	@touch $@

$(VENV)/.installed-dev: $(VENV)/.created pyproject.toml
	$(BIN)/pip install --quiet -e ".[dev]"
	@touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

run: install
	$(BIN)/serviceloop migrate --noinput -v0
	$(BIN)/serviceloop collectstatic --noinput -v0
	HOST=$(HOST) PORT=$(PORT) $(BIN)/serviceloop demo --if-empty --live-ticket
	@# the worker (task queue and periodic sweeps) runs beside the server, is started again
	@# when it dies (scripts/keep-running) and stops with the server
	scripts/keep-running $(BIN)/serviceloop worker & worker=$$!; \
	trap 'kill -TERM $$worker 2>/dev/null; wait $$worker' EXIT; \
	HOST=$(HOST) PORT=$(PORT) $(BIN)/serviceloop serve

test: install-dev
	$(BIN)/pytest -q $(PYTEST_ARGS)

test-postgres: install-dev
	DATABASE_URL=$(PG_URL) $(BIN)/pytest -q -m 'not browser' $(PYTEST_ARGS)

test-browser: install-dev
	$(BIN)/pytest -q -m browser $(PYTEST_ARGS)

# a fresh database (SQLite in a temporary folder, or DATABASE_URL's PostgreSQL database, dropped
# and created again), demo data, an admin's and a customer's token, a server on a free port
api-contract: install-dev
	$(PY) scripts/api-contract $(API_CONTRACT_ARGS)

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/serviceloop makemigrations --check --dry-run -v0
	$(BIN)/mypy serviceloop

format: install-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

messages: install-dev
	cd serviceloop && ../$(BIN)/serviceloop makemessages --locale zh_Hans --no-obsolete --add-location file
	$(PY) scripts/compile-messages

bench: install-dev
	$(PY) bench/run.py

bench-smoke: install-dev
	$(PY) bench/run.py --smoke

clean:
	rm -rf $(VENV) var *.egg-info artifacts
