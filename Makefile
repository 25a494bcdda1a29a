# Rollcall: the command surface. `make demo` and `make test` set everything up
# themselves (venv, npm packages, apt packages) and are safe to run again.
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
CHECKOV := .venv-checkov/bin/checkov
STAMP   := $(VENV)/.installed
APT_GET := $(if $(shell command -v sudo 2>/dev/null),sudo apt-get,apt-get)

.PHONY: help install prereqs web up down restart demo bench test lint fmt unit clean

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-8s %s\n", $$1, $$2}'

# --- installation ---------------------------------------------------------------

$(STAMP): requirements.txt functions/requirements.txt pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	touch $@

node_modules/.package-lock.json: package.json package-lock.json
	@echo "npm ci: installing the npm packages (the first time, it compiles re2 for firebase-tools from source: a few minutes)"
	npm ci --no-audit --no-fund
	touch $@

$(CHECKOV):
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install -q --disable-pip-version-check checkov==3.3.30

prereqs: ## apt packages the stack and the browser tests need, when missing
	@missing=""; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	sdk=$$(dirname $$(dirname $$(readlink -f $$(command -v gcloud) 2>/dev/null) 2>/dev/null) 2>/dev/null); \
	test -d "$$sdk/platform/pubsub-emulator" || missing="$$missing google-cloud-cli-pubsub-emulator"; \
	test -d "$$sdk/platform/cloud-firestore-emulator" || missing="$$missing google-cloud-cli-firestore-emulator"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; $(APT_GET) update -q && $(APT_GET) install -y -q $$missing; fi

install: prereqs $(STAMP) node_modules/.package-lock.json ## venv, npm packages, apt packages

web: node_modules/.package-lock.json ## build the web app into web/dist
	npm run --silent build

# --- local stack ----------------------------------------------------------------

up: install web ## start the local stack, detached (.local/stack.env); on a running one, what is dead
	$(PY) -m emulators.stack up

restart: $(STAMP) ## restart one process of the running stack: make restart SERVICE=dashboard
	$(PY) -m emulators.stack restart $(SERVICE)

down: ## stop what `make up` started (safe to run twice)
	@if [ -x $(PY) ]; then $(PY) -m emulators.stack down; else echo "stack not running"; fi

demo: up ## run a 500-student lecture on the local stack; DEMO_EXIT=1 to stop after it
	$(PY) -m rollcall_ops.demo

bench: up ## measure the pipeline against its bounds: table, bench/results.json, bench/latency.png
	$(PY) -m rollcall_ops.bench

# --- checks ---------------------------------------------------------------------

lint: $(STAMP) node_modules/.package-lock.json ## ruff (lint + format check), mypy, terraform fmt, biome (web/)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	terraform fmt -check -recursive infra
	npm run --silent lint:web

fmt: $(STAMP) node_modules/.package-lock.json ## format Python, Terraform and web/
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	terraform fmt -recursive infra
	npm run --silent fmt:web

unit: $(STAMP) ## fast tests: unit and infra, no emulator (what plain `pytest` runs)
	$(VENV)/bin/pytest -q

test: install web $(CHECKOV) lint ## everything: lint, unit, infra, emulator and browser tests
	npm run --silent test:web
	$(VENV)/bin/pytest -q tests/unit tests/infra tests/emulator tests/browser

clean: down ## remove installed and generated files
	rm -rf $(VENV) .venv-checkov node_modules web/dist .local test-artifacts
