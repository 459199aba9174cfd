# Two commands on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

# The store and end-to-end suites run on SQLite and on this PostgreSQL server, and fail rather
# than skip its cases; scripts/test-postgres makes this machine's own server ready.
export GUESTCARD_TEST_POSTGRES ?= postgresql://guestcard:guestcard@127.0.0.1:5432/postgres
export GUESTCARD_REQUIRE_POSTGRES ?= 1

.PHONY: run test lint unit e2e postgres bench clean

run: $(STAMP)
	$(VENV)/bin/guestcard run

test: $(STAMP) $(NODE_STAMP) lint postgres
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check bot profiles playbooks store tests bench
	$(VENV)/bin/mypy bot profiles playbooks store

unit: $(STAMP) postgres
	$(PY) -m pytest -m "not e2e"

e2e: $(STAMP) $(NODE_STAMP) postgres
	$(PY) -m pytest -m e2e

postgres: $(STAMP)
	PYTHON=$(PY) bash scripts/test-postgres

bench: $(STAMP)
	$(PY) -m bench --summary BENCHMARKS.md

$(STAMP): pyproject.toml
	test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(NODE_STAMP): package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules
