# The two commands: `make run` (the demo, everything on this machine) and `make test`.
# Needs only Python 3.11+ and make; the virtualenv and its packages are created on first use and
# reinstalled only when pyproject.toml changes (stamp files in .venv/).

PYTHON ?= python3
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
RUNTIME_STAMP := $(VENV)/.installed-runtime
TEST_STAMP    := $(VENV)/.installed-test

.DEFAULT_GOAL := help
.PHONY: help run test test-fast lint migrate bench collectstatic clean-demo screenshots

help:  ## List the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is required (found " + sys.version.split()[0] + "); set PYTHON=python3.x")'
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

$(RUNTIME_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e .
	@touch $@

$(TEST_STAMP): pyproject.toml | $(PY)
	$(PIP) install --quiet -e '.[test]'
	@touch $@ $(RUNTIME_STAMP)

run: $(RUNTIME_STAMP)  ## Run the demo: simulator, web, worker, beat (http://127.0.0.1:8000)
	$(PY) -m panel.core.demo

test: $(TEST_STAMP)  ## Run the whole test suite
	$(PY) -m pytest

test-fast: $(TEST_STAMP)  ## Run the suite without the slow process and browser tests
	$(PY) -m pytest -m "not worker and not browser and not slow"

lint: $(TEST_STAMP)  ## ruff, import contracts, mypy on the panel and the API client
	$(PY) -m ruff check .
	$(VENV)/bin/lint-imports
	$(PY) -m mypy

migrate: $(RUNTIME_STAMP)  ## Apply database migrations
	$(PY) manage.py migrate

collectstatic: $(RUNTIME_STAMP)  ## Gather static files into STATIC_ROOT
	$(PY) manage.py collectstatic --no-input

bench: $(RUNTIME_STAMP)  ## Start the demo stack on free ports and print its memory footprint
	$(PY) bench/footprint.py

screenshots: $(TEST_STAMP)  ## PNGs of the main pages (desktop and phone) into docs/screenshots/
	SCREENSHOT_DIR=docs/screenshots $(PY) -m pytest tests/web/test_browser_screenshots.py -m browser -q -p no:cacheprovider

clean-demo:  ## Delete the demo data (var/): database, broker queue, simulator state, login
	rm -rf var
