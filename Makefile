# The two commands: `make run` and `make test`. Both set up everything they need.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cat requirements.txt requirements-dev.txt | sha1sum | cut -c1-12)
# Up to four workers (two on a two-core machine); each test file stays on one worker (tests/conftest.py).
PYTEST_ARGS ?= -n auto --maxprocesses 4

.PHONY: run test unit lint venv clean system-deps package bench soak

venv: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade "pip<26.3"  # chalice 1.34 packages with pip and requires pip<26.3
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	@rm -f $(VENV)/.installed-*
	@touch $@

## Start the whole system locally on embedded AWS, with demo data (Ctrl-C stops it).
run: $(STAMP)
	@$(PY) -m devtools.stack

## Install what the tests need (Python packages, Chromium, a Japanese font), lint, and run the whole suite.
test: $(STAMP) system-deps lint
	$(PY) -m pytest $(PYTEST_ARGS)

## Lint: ruff, then mypy over chalicelib (both configured in pyproject.toml).
lint: $(STAMP)
	$(PY) -m ruff check app.py chalicelib devtools tests
	$(PY) -m mypy

system-deps:
	@bash devtools/install_system_deps.sh

## Package the stack for AWS: make package STAGE=dev|prod
STAGE ?= dev
package: $(STAMP)
	$(PY) -m devtools.package --stage $(STAGE)

## Benchmarks: DynamoDB requests and items per operation, cold start, package size.
bench: $(STAMP)
	$(PY) -m devtools.bench

## Load run: 2,000 transfers from 8 concurrent clients against the local stack (slow: moto).
soak: $(STAMP)
	$(PY) -m devtools.soak 2000 8

## Fast feedback: unit tests only.
unit: $(STAMP)
	$(PY) -m pytest tests/unit -q

clean:
	rm -rf $(VENV) .local .pytest_cache .hypothesis .mypy_cache .ruff_cache

.PHONY: checkov checkov-venv
## The IaC security scan's own venv (checkov's pins conflict with ours: requirements-checkov.txt).
CHECKOV_VENV := .venv-checkov
checkov-venv: $(CHECKOV_VENV)/.installed-$(shell sha1sum requirements-checkov.txt | cut -c1-12)
$(CHECKOV_VENV)/.installed-%: requirements-checkov.txt
	@test -x $(CHECKOV_VENV)/bin/python || $(PYTHON) -m venv $(CHECKOV_VENV)
	$(CHECKOV_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r requirements-checkov.txt
	@rm -f $(CHECKOV_VENV)/.installed-*
	@touch $@

## checkov on both stages' packaged templates (what tests/infra/test_checkov.py asserts).
checkov: checkov-venv $(STAMP)
	for stage in dev prod; do $(PY) -m devtools.package --stage $$stage > /dev/null || exit 1; done
	for stage in dev prod; do for t in sam edge; do \
	  BC_SKIP_MAPPING=TRUE $(CHECKOV_VENV)/bin/checkov -f build/$$stage/$$t.yaml --framework cloudformation --skip-download --compact --quiet || exit 1; \
	done; done
## A busy year on the local stack: 1,000 accounts, 100,000 transactions (batch-written), then 16 clients (slow: moto).
.PHONY: load
load: $(STAMP)
	$(PY) -m devtools.load
