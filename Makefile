# Two commands set everything up on a fresh Debian/Ubuntu machine:
#   make run   — install what is missing, then open the window on the demo village
#   make test  — install what is missing, then run the whole test suite headless (and tests/app on PostgreSQL)
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test setup setup-test lint bench clean

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	@touch $(STAMP)

setup:
	@bash scripts/sysdeps.sh run
	@$(MAKE) -s $(STAMP)

setup-test:
	@bash scripts/sysdeps.sh test
	@$(MAKE) -s $(STAMP)

run: setup
	$(PY) -m app demo --if-empty
	$(PY) -m app gui

lint: setup-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# the whole suite on SQLite, then the service tests (tests/app) again on a PostgreSQL server started on loopback
test: lint
	QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q
	VILLAGEDESK_TEST_PG=1 QT_QPA_PLATFORM=offscreen $(PY) -m pytest -q tests/app

bench: setup-test
	$(PY) -m bench

clean:
	rm -rf $(VENV)
