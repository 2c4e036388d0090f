# Two commands a newcomer needs: `make demo` (the quickstart) and `make test` (everything CI runs).
PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python

.PHONY: demo test lint typecheck unit bench engine sdks toolchains emulator dist clean

$(VENV)/.installed: pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'
	touch $@

## engine: find or build the pinned Pulumi engine; the last line printed is its directory
engine: $(VENV)/.installed
	@$(PYTHON) engine/build.py --python $(PY)

## sdks: regenerate sdk/ (Node.js, Python, Go and schema.json) from the plugin's schema with
## sdkgen/ (pkg/v3/codegen at the engine's pin); commit the result, a test compares
sdks: $(VENV)/.installed
	@$(PYTHON) sdkgen/sdks.py --python $(PY) --out sdk

## toolchains: install the Node and Go toolchains of the plugin's tests (tests/plugin_e2e) into
## ~/.cache/anypoint-pulumi from the committed lock files; the tests also do it on first use
toolchains: $(VENV)/.installed
	$(PY) -m tests.plugin_e2e.toolchains

## demo: set up, start the emulator, run the quickstart with a real `pulumi up` against it
demo: $(VENV)/.installed
	@engine="$$($(PYTHON) engine/build.py --python $(PY))" || { \
	  status=$$?; [ $$status -eq 3 ] || exit $$status; engine=""; }; \
	ANYPOINT_PULUMI_ENGINE="$$engine" $(PY) scripts/demo.py $(DEMO_ARGS)

## test: set up, then lint, type-check and run the whole test suite (the engine tests included)
test: lint typecheck unit

lint: $(VENV)/.installed
	$(VENV)/bin/ruff check anypoint_pulumi tests examples templates benchmarks scripts engine sdkgen provider __main__.py

typecheck: $(VENV)/.installed
	$(VENV)/bin/mypy

# Three pytest-xdist workers: most tests wait on servers and processes, not on the CPU
# (1752 tests: 5 min 26 s in one process, 3 min with three, on 2 cores).
unit: $(VENV)/.installed
	@engine="$$($(PYTHON) engine/build.py --python $(PY))" || { \
	  status=$$?; [ $$status -eq 3 ] || exit $$status; engine=""; }; \
	echo "engine: $${engine:-none (the CLI tests skip)}"; \
	ANYPOINT_PULUMI_ENGINE="$$engine" $(PY) -m pytest -n 3

## bench: print the measured figures (request counts, sizes, ratios, engine runs, import time)
bench: $(VENV)/.installed
	@engine="$$($(PYTHON) engine/build.py --python $(PY))" || { \
	  status=$$?; [ $$status -eq 3 ] || exit $$status; engine=""; }; \
	ANYPOINT_PULUMI_ENGINE="$$engine" $(PY) -m benchmarks.bench

## dist: build the wheel and the sdist into dist/ (offline: this venv's setuptools), then check
## their metadata with twine
dist: $(VENV)/.installed
	rm -rf dist build
	$(PY) -m build --no-isolation --sdist --wheel --outdir dist .
	$(VENV)/bin/twine check --strict dist/*

## emulator: run the local Anypoint emulator until interrupted
emulator: $(VENV)/.installed
	$(PY) -m anypoint_pulumi.emulator

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .pulumi-demo dist build *.egg-info
