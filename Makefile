# Two commands for a newcomer: `make run` and `make test`. Everything else is a helper.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP_PY := $(VENV)/.installed
STAMP_NPM := node_modules/.installed
# checkov pins packaging<24, which pytest 9 cannot share: it lives in a venv of its own.
CHECKOV_VERSION := 3.3.30
STAMP_CHECKOV := .local/checkov/.installed-$(CHECKOV_VERSION)

.PHONY: run test token lint typecheck emulators install clean bench audit lock moderation-figures

$(STAMP_PY): requirements.txt requirements-dev.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)"; exit 1; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $@

$(STAMP_NPM): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(STAMP_CHECKOV):
	mkdir -p .local
	test -x .local/checkov/bin/python || $(PYTHON) -m venv .local/checkov
	.local/checkov/bin/python -m pip install --quiet --disable-pip-version-check checkov==$(CHECKOV_VERSION)
	touch $@

install: $(STAMP_PY) $(STAMP_NPM)

## Start the whole local stack (emulators, simulators, dev host) on http://127.0.0.1:7071
run: install
	$(BIN)/python -m devhost run

## Install what is missing, start what the tests need, run them, stop everything
test: install $(STAMP_CHECKOV)
	$(BIN)/python -m pytest $(PYTEST_ARGS)

## Print a local bearer token as the last line: make token tenant=T user=U
token: $(STAMP_PY)
	@$(BIN)/python -m devhost token --tenant "$(or $(tenant),t1)" --user "$(or $(user),u1)"

emulators: install
	$(BIN)/python -m devhost emulators

PY_SOURCES := shared functions devhost cli tests bench training function_app.py

lint: $(STAMP_PY)
	$(BIN)/ruff check $(PY_SOURCES)
	$(BIN)/ruff format --check $(PY_SOURCES)

typecheck: $(STAMP_PY)
	$(BIN)/mypy shared functions function_app.py devhost cli tests bench

## Known vulnerabilities in the deployed requirements (needs PyPI's JSON API; --strict fails on any package it could not check)
audit: $(STAMP_PY)
	$(BIN)/pip-audit --requirement requirements.txt --progress-spinner off --strict --desc on

## The hashed, fully pinned lock of the deployed set (see docs/deployment.md, "Supply chain")
lock: $(STAMP_PY)
	$(BIN)/pip-compile --quiet --generate-hashes --allow-unsafe --strip-extras --no-emit-index-url \
		--no-emit-find-links --output-file requirements.lock requirements.txt

clean:
	rm -rf $(VENV) node_modules .local

## Leave-one-source-out figures of the embedded moderator and of the learned heads it was compared with
moderation-figures: $(STAMP_PY)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-train.txt
	mkdir -p training/results
	$(BIN)/python -m training.evaluate_rules | tee training/results/rules.txt
	$(BIN)/python -m training.learned_baseline ngrams | tee training/results/learned-ngrams.txt
	$(BIN)/python -m training.learned_baseline wordllama | tee training/results/learned-wordllama.txt
