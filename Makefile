# CarePlatform: `make run` starts everything, `make test` runs the whole suite.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint bench install browser clean axe

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[dev,local]'
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m careplatform.devserver run

test: $(STAMP) axe
	$(PY) -m careplatform.devserver test -- $(PYTEST_ARGS)

# axe-core for the accessibility tests: the npm registry's tarball of the version pinned in
# tests/a11y/axe.py, checked against its sha512 integrity, kept under .cache/ (not in git).
axe: $(STAMP)
	$(PY) -m tests.a11y.axe

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache --no-logo
	DEBUG=1 $(VENV)/bin/mypy

bench: $(STAMP)
	$(PY) -m careplatform.devserver bench

clean:
	rm -rf .data .pytest_cache
