# The hub's everyday commands. `make help` lists them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.DEFAULT_GOAL := help
.PHONY: help install run test test-unit test-integration soak mutate-codes lint broker-start broker-stop broker-status clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	$(BIN)/pip install -q -e '.[test]'
	touch $(STAMP)

install: $(STAMP) ## create .venv and install the hub with its test tools
	$(BIN)/hub broker fetch >/dev/null

run: install ## the main job: broker, worker, sample traffic, print the timelines (HUB_SECURE=1: on the secure broker)
	$(BIN)/hub demo

test: install ## every test tier; integration tests start their own Kafka broker
	$(BIN)/pytest

test-unit: install ## tests that need no broker
	$(BIN)/pytest -m "unit or service"

test-integration: install ## tests against the real broker and worker processes
	$(BIN)/pytest -m integration

soak: install ## the long fault soak: 20,000 messages, 10 worker kills, a broker restart; prints its figures
	$(BIN)/python -m tests.soak.soak $(SOAK_ARGS)

mutate-codes: install ## mutate every code-table row in turn; fails if the pinned test misses one
	$(BIN)/python -m tests.mutation.code_tables $(MUTATE_ARGS)

lint: install ## ruff, mypy on the pure code, and the direction of imports (hub -> adapters -> schemas)
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

broker-start: install ## start the local broker in .hub/broker (prints its bootstrap address)
	$(BIN)/hub broker start
broker-stop: ## stop the local broker
	$(BIN)/hub broker stop
broker-status: ## is the local broker running?
	$(BIN)/hub broker status

clean: ## remove the venv and local data (not the cached Kafka jars)
	rm -rf $(VENV) .hub
