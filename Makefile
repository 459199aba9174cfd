# Two commands on a fresh machine: `make run` and `make test`.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed
NODE_STAMP := node_modules/.installed

.PHONY: run test lint unit e2e bench clean

run: $(STAMP)
	$(VENV)/bin/guestcard run

test: $(STAMP) $(NODE_STAMP) lint
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check bot profiles playbooks tests bench
	$(VENV)/bin/mypy bot profiles playbooks

unit: $(STAMP)
	$(PY) -m pytest -m "not e2e"

e2e: $(STAMP) $(NODE_STAMP)
	$(PY) -m pytest -m e2e

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
