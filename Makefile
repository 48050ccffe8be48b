# The only way people and CI run things. `make help` lists the targets.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
SOURCES := app tests migrations bench

.DEFAULT_GOAL := help
.PHONY: help install run migrate seed-demo test test-sqlite test-postgres lint format bench clean

help: ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed ## Create .venv and install the project with its dev tools

migrate: install ## Upgrade the database (MYNEWS_DATABASE_URL, default SQLite in ./data) to the latest schema
	$(BIN)/mynews migrate

seed-demo: migrate ## Create the demo accounts and content (idempotent)
	$(BIN)/mynews seed-demo

run: seed-demo ## Set everything up and serve the demo at http://$(HOST):$(PORT)
	@echo ""
	@echo "  myNEWS API on http://$(HOST):$(PORT)   docs: http://$(HOST):$(PORT)/docs"
	@echo ""
	$(BIN)/mynews serve --host $(HOST) --port $(PORT)

lint: install ## Formatting, lint and type checks
	$(BIN)/ruff format --check $(SOURCES)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/mypy app tests

format: install ## Format and auto-fix the code
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

test-sqlite: install ## Tests against SQLite
	env -u MYNEWS_TEST_DATABASE_URL $(BIN)/pytest

test-postgres: install ## Tests against the PostgreSQL in MYNEWS_TEST_DATABASE_URL
	@test -n "$$MYNEWS_TEST_DATABASE_URL" || { echo "Set MYNEWS_TEST_DATABASE_URL=postgresql+asyncpg://..."; exit 2; }
	@# Tests marked standalone bring their own servers and databases: the SQLite pass ran them.
	$(BIN)/pytest -m "not standalone"

test: lint test-sqlite ## Lint, then tests on SQLite, and on PostgreSQL when MYNEWS_TEST_DATABASE_URL is set
	@if [ -n "$$MYNEWS_TEST_DATABASE_URL" ]; then $(MAKE) --no-print-directory test-postgres; \
	else echo "MYNEWS_TEST_DATABASE_URL is not set: PostgreSQL tests skipped."; fi

BENCH_SCALE ?= full
BENCH_DURATION ?= 30
bench: install ## Benchmark on PostgreSQL at newsroom scale (BENCH_SCALE=small|medium|large|full)
	@command -v wrk >/dev/null || { echo "wrk is needed: apt-get install -y wrk"; exit 2; }
	@command -v curl >/dev/null || { echo "curl is needed: apt-get install -y curl"; exit 2; }
	$(BIN)/python bench/run.py --scale $(BENCH_SCALE) --duration $(BENCH_DURATION)

clean: ## Remove the virtualenv, caches and the local SQLite database
	rm -rf $(VENV) data .mypy_cache .ruff_cache .pytest_cache .hypothesis
