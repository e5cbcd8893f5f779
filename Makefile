# arena: two commands matter — `make demo` and `make test`. `make help` lists the rest.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-$(shell cat pyproject.toml | cksum | cut -d' ' -f1)

.DEFAULT_GOAL := help
.PHONY: help venv judge-deps test-deps demo test test-unit test-integration test-e2e bench serve migrate clean

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  %-18s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	@rm -f $(VENV)/.installed-* && touch $@

venv: $(STAMP) ## create/update .venv with the project and its test extras

judge-deps: ## install the sandbox (bubblewrap) when missing (as root), else print the command
	@sh scripts/install-judge-deps.sh

test-deps: ## judge-deps plus Debian's docker.io, so the docker backend is tested on a real engine
	@sh scripts/install-judge-deps.sh --docker

demo: venv judge-deps ## play a whole battle on the embedded default (no external services)
	$(BIN)/arena demo

test: venv test-deps ## the whole suite: unit, integration (PostgreSQL, RabbitMQ) and e2e over HTTP
	$(BIN)/python -m pytest -q -p no:cacheprovider

test-unit: venv ## unit tests only (no I/O)
	$(BIN)/python -m pytest -q tests/unit

test-integration: venv judge-deps ## integration tests against the local services
	$(BIN)/python -m pytest -q tests/integration

test-e2e: venv ## e2e tests over HTTP
	$(BIN)/python -m pytest -q tests/e2e

bench: venv judge-deps ## run every benchmark (prints figures with their baselines)
	@command -v wrk >/dev/null 2>&1 || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk)
	@for script in bench/*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

serve: venv ## run the API on 127.0.0.1:8000 (embedded default unless ARENA_* say otherwise)
	$(BIN)/arena serve

migrate: venv ## apply the read-model migrations to ARENA_DATABASE_URL
	$(BIN)/arena db upgrade

clean: ## remove the venv and local data
	rm -rf $(VENV) .arena .pytest_cache
