# `make test` and `make demo` work on a fresh Debian 12 machine with its own python3 (3.11.2), as
# root or with sudo: what Debian lacks (python3-venv, Chromium, espeak-ng, ffmpeg, sox, klettres-data) is installed with apt-get.
# Any Python 3.11-3.13 works too: `make test PYTHON=python3.13`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The pip the venv gets: Debian 12's ensurepip brings pip 23.0, which downloads whole wheels to
# read their metadata (the constraint-resolution test then takes minutes instead of seconds).
PIP_VERSION := 26.3
CHROMIUM := /usr/bin/chromium
ESPEAK := /usr/bin/espeak-ng
FFMPEG := /usr/bin/ffmpeg
SOX := /usr/bin/sox
# Recorded human speech (KLettres' spoken letters and syllables) for the speech-detector tests.
HUMAN_SPEECH := /usr/share/klettres/en/alpha
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
APT_INSTALL := DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq

.PHONY: test test-fast demo docs install lint typecheck check-generated regenerate benchmarks \
	constraints clean python-venv debian-packages screenshots

install: $(STAMP)

# Debian splits venv/ensurepip out of python3: install python3-venv when they are missing.
python-venv:
	@$(PYTHON) -c 'import ensurepip, venv' 2>/dev/null || { \
	  echo "$(PYTHON) has no venv module: installing Debian's python3-venv"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) python3-venv; }

$(STAMP): pyproject.toml constraints.txt
	$(MAKE) --no-print-directory python-venv
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check pip==$(PIP_VERSION)
	$(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	touch $@

# What the tests need from Debian, each as `file-it-installs:package`: Chromium for the
# real-browser tests (Playwright cannot download browsers here), espeak-ng for synthetic speech,
# ffmpeg and sox as independent references (loudness, true peak, silence, levels) and encoders
# of awkward inputs, klettres-data for recorded human speech. The missing ones are installed
# with one apt-get.
DEBIAN_PACKAGES := $(CHROMIUM):chromium $(ESPEAK):espeak-ng $(FFMPEG):ffmpeg $(SOX):sox \
	$(HUMAN_SPEECH):klettres-data

debian-packages:
	@missing=""; for pair in $(DEBIAN_PACKAGES); do \
	  [ -e "$${pair%%:*}" ] || missing="$$missing $${pair##*:}"; done; \
	if [ -n "$$missing" ]; then \
	  echo "installing Debian packages:$$missing"; \
	  $(SUDO) apt-get update -qq && $(APT_INSTALL) $$missing; fi

check-generated: $(STAMP)
	$(BIN)/python scripts/regenerate.py --check

lint: $(STAMP)
	$(BIN)/ruff check widgets sandbox scripts tests benchmarks devtools
	$(BIN)/ruff format --check widgets sandbox scripts tests benchmarks devtools

typecheck: $(STAMP)
	$(BIN)/mypy

# The whole suite (what .ci/run calls): the checks, then every test, browser tests included.
# Tests marked `isolated` (long, sharing nothing with the rest) run in a second pytest beside
# the main one, on the second core; their output follows the main run's. Either failing fails.
test: $(STAMP) debian-packages check-generated lint typecheck
	@mkdir -p test-artifacts
	@$(BIN)/pytest -m isolated -p no:cacheprovider > test-artifacts/isolated-tests.log 2>&1 & \
	isolated=$$!; trap 'kill $$isolated 2>/dev/null' INT TERM; \
	echo "$(BIN)/pytest -m 'not isolated'   (and -m isolated beside it: test-artifacts/isolated-tests.log)"; \
	$(BIN)/pytest -m "not isolated"; main=$$?; \
	wait $$isolated; beside=$$?; \
	echo "== the isolated tests, run beside the rest (pytest -m isolated):"; \
	cat test-artifacts/isolated-tests.log; \
	[ $$main -eq 0 ] && [ $$beside -eq 0 ]

# Every test that needs neither a browser nor more than a few seconds (under 2 minutes): three
# pytests side by side by folder: two halves that keep the two cores busy (each about 80 s of
# tests) and a third of tests that mostly wait (timeouts, trickling clients), which fills the
# cores' idle moments. The others print after the main one. Folders not named go to the main one.
# Python may cache bytecode here (rewritten test modules included) even where the environment
# says not to: a second run then skips recompiling them.
FAST := -m "not slow and not browser"
FAST_BESIDE := tests/cli tests/audio_measured tests/prepare tests/notebooks
FAST_WAITING := tests/sandbox tests/clone/test_secret_frames.py
FAST_PYTEST := env -u PYTHONDONTWRITEBYTECODE $(BIN)/pytest $(FAST) -p no:cacheprovider
test-fast: $(STAMP) debian-packages
	@mkdir -p test-artifacts
	@$(FAST_PYTEST) $(FAST_BESIDE) > test-artifacts/fast-beside.log 2>&1 & beside=$$!; \
	$(FAST_PYTEST) $(FAST_WAITING) > test-artifacts/fast-waiting.log 2>&1 & waiting=$$!; \
	trap 'kill $$beside $$waiting 2>/dev/null' INT TERM; \
	echo '$(BIN)/pytest $(FAST) (with two parts beside: test-artifacts/fast-*.log)'; \
	$(FAST_PYTEST) $(addprefix --ignore=,$(FAST_BESIDE) $(FAST_WAITING)); main=$$?; \
	wait $$beside; other=$$?; wait $$waiting; third=$$?; \
	echo "== run beside: $(FAST_BESIDE)"; cat test-artifacts/fast-beside.log; \
	echo "== run beside: $(FAST_WAITING)"; cat test-artifacts/fast-waiting.log; \
	[ $$main -eq 0 ] && [ $$other -eq 0 ] && [ $$third -eq 0 ]

# The README's pictures (docs/screenshots/), made from the current code in JupyterLab and
# headless Chromium; each is checked to show one coherent state before it is written.
screenshots: $(STAMP) debian-packages
	$(BIN)/python scripts/screenshots.py

demo: $(STAMP)
	$(BIN)/python scripts/demo.py

# HTML API reference of every public name, built offline into docs/api/ (git-ignored).
docs: $(STAMP)
	rm -rf docs/api
	$(BIN)/python -m pdoc --no-search --output-directory docs/api uponai_widgets

regenerate: $(STAMP)
	$(BIN)/python scripts/regenerate.py

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run_all.py

constraints: $(STAMP)
	(echo "# Exact versions make test and make demo install (pip -c). Refresh: make constraints"; \
	 $(BIN)/pip freeze --exclude-editable | grep -v '^-e' | sort -f) > constraints.txt

clean:
	rm -rf $(VENV) build dist .pytest_cache .mypy_cache .ruff_cache test-artifacts docs/api
