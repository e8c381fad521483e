# Two commands for a newcomer: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: run test lint install install-dev bench soak clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: the sandbox, the API wired to it, a sample fetch, and curl examples; Ctrl-C stops.
run: install
	$(BIN)/kitefetch demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/lint-imports

## make test: install with dev extras, lint, and run the whole suite (browser tests need Debian's chromium).
test: lint
	$(BIN)/pytest

## make bench: every benchmark, each printing its figures beside its baseline (several minutes; not in `make test`).
bench: install-dev
	$(BIN)/pip install --quiet -e ".[bench]"
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.instruments
	$(BIN)/python -m bench.store
	$(BIN)/python -m bench.batch
	$(BIN)/python -m bench.api_load

## make soak: the crash test with 200 kills instead of CI's 20.
soak: install-dev
	KITEFETCH_CRASH_KILLS=200 $(BIN)/pytest -q -s tests/integration/store/test_crash_safety.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
