# Two commands for a newcomer: `make run` and `make test`. Everything installs into .venv.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

PIP_PINNED = $(BIN)/pip install --quiet -c constraints.txt

.PHONY: run test lint install install-dev bench soak clean pins

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_PINNED) -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml constraints.txt | $(BIN)/python
	$(PIP_PINNED) -e ".[dev]"
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## make run: the sandbox, the API wired to it, a sample fetch, and curl examples; Ctrl-C stops.
run: install
	$(BIN)/kitefetch demo

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/lint-imports

## make test: install with dev extras, lint (ruff, mypy, import contracts), and run the whole suite (browser tests need Debian's chromium).
test: lint
	@command -v chromium >/dev/null 2>&1 || echo "chromium not found: the browser tests will be skipped (apt-get install chromium to run them)"
	$(BIN)/pytest

## make bench: every benchmark, each printing its figures beside its baseline (several minutes; not in `make test`).
bench: install-dev
	$(PIP_PINNED) -e ".[bench]"
	$(BIN)/python -m bench.ingest
	$(BIN)/python -m bench.instruments
	$(BIN)/python -m bench.store
	$(BIN)/python -m bench.batch
	$(BIN)/python -m bench.api_load
	$(BIN)/python -m bench.cli_start
	$(BIN)/python -m bench.revisions
	$(BIN)/python -m bench.python_api
	$(BIN)/python -m bench.many_series

## make soak: the crash tests at length: 200 kills instead of CI's 20, and 100 random power-cut images per call
## of each simulated write instead of 8 (thousands of images instead of ~500).
soak: install-dev
	KITEFETCH_CRASH_KILLS=200 KITEFETCH_CRASH_IMAGES=100 $(BIN)/pytest -q -s \
		tests/integration/store/test_crash_safety.py tests/integration/store/test_power_loss.py

## make pins: refresh constraints.txt to the newest versions pyproject.toml allows (then run make test).
pins:
	rm -rf .pins-venv
	$(PYTHON) -m venv .pins-venv
	.pins-venv/bin/pip install --quiet --upgrade pip
	.pins-venv/bin/pip install --quiet -e ".[dev,bench]"
	{ sed -n '1,2p' constraints.txt; .pins-venv/bin/pip freeze --exclude-editable | grep -v '^#' | sort -f; } > constraints.txt.new
	mv constraints.txt.new constraints.txt
	rm -rf .pins-venv

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache *.egg-info
