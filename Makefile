# Two commands a newcomer needs: `make demo` (the quickstart) and `make test` (everything CI runs).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test lint typecheck unit bench emulator clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[test]'
	touch $@

## demo: set up, start the emulator, run the quickstart program against it, stop the emulator
demo: $(VENV)/.installed
	$(PY) scripts/demo.py $(DEMO_ARGS)

## test: set up, then lint, type-check and run the whole test suite
test: lint typecheck unit

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check anypoint_pulumi tests examples benchmarks scripts __main__.py

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

unit: $(VENV)/.installed
	$(PY) -m pytest

## bench: print the measured figures (request counts, sizes, ratios, import time)
bench: $(VENV)/.installed
	$(PY) benchmarks/bench.py

## emulator: run the local Anypoint emulator until interrupted
emulator: $(VENV)/.installed
	$(PY) -m anypoint_pulumi.emulator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .pulumi-demo
