# The two commands of the README: `make run` and `make test`. Both install what they need.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test lint browser clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.run-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[demo]'
	touch $@

$(VENV)/.test-installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.run-installed

## Install and run vcsafe in demo mode (local Zoom and Teams fakes, SQLite in ./instance).
run: $(VENV)/.run-installed
	$(BIN)/vcsafe serve --demo

## Install everything and run the linters and the whole test suite.
## SQLite by default; VCSAFE_TEST_DATABASE_URL=postgresql://... runs it on PostgreSQL.
test: $(VENV)/.test-installed browser
	$(BIN)/ruff check vcsafe tests benchmarks
	$(BIN)/ruff format --check vcsafe tests benchmarks
	$(BIN)/mypy
	$(BIN)/pytest $(PYTEST_ARGS)

## Debian's Chromium for the end-to-end tests (installed when missing and we are root).
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium; \
	  else \
	    echo "Debian's chromium is missing: the browser tests will be skipped (apt-get install chromium)"; \
	  fi; \
	fi

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
