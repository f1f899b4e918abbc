# `make test` and `make demo` work on a fresh Debian machine with Python 3.11 (as root, or with sudo).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CHROMIUM := /usr/bin/chromium
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)

.PHONY: test demo install lint typecheck check-generated regenerate benchmarks constraints clean

install: $(STAMP)

$(STAMP): pyproject.toml constraints.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# Debian's Chromium for the real-browser tests (Playwright cannot download browsers here).
$(CHROMIUM):
	$(SUDO) apt-get update -qq
	DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium

check-generated: $(STAMP)
	$(BIN)/python scripts/regenerate.py --check

lint: $(STAMP)
	$(BIN)/ruff check widgets sandbox scripts tests benchmarks devtools
	$(BIN)/ruff format --check widgets sandbox scripts tests benchmarks devtools

typecheck: $(STAMP)
	$(BIN)/mypy

test: $(STAMP) $(CHROMIUM) check-generated lint typecheck
	$(BIN)/pytest

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

regenerate: $(STAMP)
	$(BIN)/python scripts/regenerate.py

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

constraints: $(STAMP)
	(echo "# Exact versions make test and make demo install (pip -c). Refresh: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^-e' | sort -f) > constraints.txt

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts
