# The two commands the README opens with: `make demo` and `make test`.
# Each creates .venv and installs the project (durable-rules builds from source: needs a C compiler).
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint typecheck bench docs clean venv test-long

$(STAMP): pyproject.toml
	test -d $(VENV) || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(BIN)/regimes demo

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks examples

typecheck: $(STAMP)
	$(BIN)/mypy src

test: $(STAMP) lint typecheck
	$(BIN)/regimes check
	$(BIN)/regimes test
	HYPOTHESIS_PROFILE=ci $(BIN)/pytest

test-long: $(STAMP)
	HYPOTHESIS_PROFILE=long $(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python benchmarks/evaluate.py

docs: $(STAMP)
	$(BIN)/regimes docs docs/regimes
	$(BIN)/regimes schema --of case > docs/case.schema.json

clean:
	rm -rf $(VENV) build dist *.egg-info src/*.egg-info src/regimes/_bundled
