# Two commands on a fresh machine with Python 3.11: `make demo` and `make test`.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
DEMO_PROFILE := .demo-profile
export VMADESK_PASSPHRASE ?= vmadesk-demo

.PHONY: demo test lint bench clean

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "make: $(PYTHON) not found; install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	$(PYTHON) -m venv $(VENV)

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

## Set everything up, fill a demo profile with fake work, open the console on it.
demo: $(STAMP)
	@# Bytecode up front (as a wheel install has it), even where PYTHONDONTWRITEBYTECODE is set.
	@$(BIN)/python -m compileall -q vmadesk >/dev/null
	$(BIN)/vmadesk demo --profile $(DEMO_PROFILE)
	$(BIN)/vmadesk --profile $(DEMO_PROFILE)

## Set everything up and run every test headless.
test: $(STAMP)
	$(BIN)/ruff check vmadesk tests bench
	$(BIN)/lint-imports
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m pytest

lint: $(STAMP)
	$(BIN)/ruff check vmadesk tests bench
	$(BIN)/ruff format --check vmadesk tests bench

## Benchmarks with ratios against baselines measured in the same run.
bench: $(STAMP)
	QT_QPA_PLATFORM=offscreen $(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(DEMO_PROFILE) build *.egg-info
