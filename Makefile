# Blue/green releases of the pet-store API. `make` lists the targets.
# CONFIG_ENV picks the samconfig environment: default (AWS) or local (the local cloud: run
# `make local-up` in another terminal). With local, bluegreen refuses any endpoint but a loopback one
# and loads .localcloud/env itself when the shell has not sourced it.

SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

CONFIG_ENV ?= default
COLOR ?=
TARGET ?= live
VENV := .venv
INSTALL_STAMP := $(VENV)/.installed
BIN := $(abspath $(VENV)/bin)
BLUEGREEN = $(BIN)/bluegreen --config-env $(CONFIG_ENV)
# sam delete runs under bluegreen's environment check (the local env never reaches AWS).
SAM_DELETE = $(BLUEGREEN) exec -- $(BIN)/sam delete --no-prompts --config-env $(CONFIG_ENV)

# sam build needs a python3.13 on PATH for the python3.13 runtime: the venv provides it.
export PATH := $(BIN):$(PATH)
export SAM_CLI_TELEMETRY := 0
# bluegreen's messages then name make's variables (FORCE=1) instead of its flags (--force).
export BLUEGREEN_INVOKED_BY := make

# The first python3.13 that runs: on PATH, else the newest pyenv 3.13. Override with PYTHON313=...
PYTHON313 ?= $(shell for c in python3.13 $$(ls -d $${PYENV_ROOT:-$$HOME/.pyenv}/versions/3.13*/bin/python3.13 2>/dev/null | sort -V | tail -n 1); do \
	if "$$c" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 13))' >/dev/null 2>&1; then echo "$$c"; break; fi; done)

.PHONY: help
help: ## List the targets
	@if [ -t 1 ] && [ -z "$${NO_COLOR:-}" ]; then on=$$'\033[36m' off=$$'\033[0m'; else on= off=; fi; \
	awk -v on="$$on" -v off="$$off" 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  %s%-16s%s %s\n", on, $$1, off, $$2}' $(MAKEFILE_LIST)
	@echo "  Variables: CONFIG_ENV=default|local  COLOR=blue|green  TARGET=blue|green|live|<url>  REASON=... (unlock)  CONFIRM=<data stack> (delete-data)"

.PHONY: install
install: $(INSTALL_STAMP) ## Create .venv (Python 3.13) with the tools, the local cloud and the test kit

$(INSTALL_STAMP): pyproject.toml
	@if [ -z "$(PYTHON313)" ]; then echo "error: Python 3.13 not found (on PATH or under pyenv); install it, or pass PYTHON313=/path/to/python3.13" >&2; exit 2; fi
	@echo "Creating $(VENV) with $(PYTHON313)"
	@[ -x $(VENV)/bin/python3.13 ] || "$(PYTHON313)" -m venv $(VENV)
	@$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	@$(VENV)/bin/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $@
	@echo "Installed into $(VENV)"

.PHONY: build
# SAM's "Commands you can use next" hint is dropped: it suggests `sam local` (needs Docker).
SAM_HINT_FILTER := sed '/^Commands you can use next$$/,/^$$/d'
build: $(INSTALL_STAMP) ## sam build both colors, cached, into .aws-sam/<color>/build (bluegreen deploy builds too)
	@# Each color in its own workspace: SAM keeps build.toml beside the build folder and its resolved
	@# dependencies under the working directory, and evicts what the template being built does not use.
	for color in blue green; do mkdir -p .aws-sam/$$color; \
		(cd .aws-sam/$$color && sam build --template-file $(CURDIR)/stacks/$$color-stack.yaml --build-dir build --cached --cache-dir cache) 2>&1 | $(SAM_HINT_FILTER); \
		$(BIN)/python -m bluegreen.bytecode .aws-sam/$$color/build; done

.PHONY: deploy-data
deploy-data: $(INSTALL_STAMP) ## Deploy the data stack first (orders, idempotency, switch lock and history)
	$(BLUEGREEN) deploy data

.PHONY: deploy-blue deploy-green
deploy-blue: $(INSTALL_STAMP) ## Build and deploy the blue stack (refused while blue is live)
	$(BLUEGREEN) deploy blue
deploy-green: $(INSTALL_STAMP) ## Build and deploy the green stack (refused while green is live)
	$(BLUEGREEN) deploy green

.PHONY: deploy-domain
deploy-domain: $(INSTALL_STAMP) ## Deploy the custom-domain stack (live color kept; COLOR= to choose on first deploy)
	$(BLUEGREEN) deploy domain $(if $(COLOR),--color $(COLOR))

.PHONY: preview
preview: $(INSTALL_STAMP) ## Preview COLOR on the live hostname behind X-Bluegreen-Preview (COLOR=none removes it)
	@[ -n "$(COLOR)" ] || { echo "usage: make preview COLOR=blue|green|none" >&2; exit 2; }
	$(BLUEGREEN) preview $(COLOR) --yes

.PHONY: switch
switch: $(INSTALL_STAMP) ## Verified switch of live traffic to COLOR, with automatic rollback
	@[ -n "$(COLOR)" ] || { echo "usage: make switch COLOR=blue|green" >&2; exit 2; }
	$(BLUEGREEN) switch $(COLOR) --yes

.PHONY: rollback
rollback: $(INSTALL_STAMP) ## Switch back to the color that was live before the last switch
	$(BLUEGREEN) rollback --yes

.PHONY: smoke
smoke: $(INSTALL_STAMP) ## Smoke-test TARGET: blue, green, live or a base URL
	$(BLUEGREEN) smoke $(TARGET)

.PHONY: status
status: $(INSTALL_STAMP) ## Live color, drift, each color's stack and health, last switch
	$(BLUEGREEN) status

.PHONY: history
history: $(INSTALL_STAMP) ## Record of switches and rollbacks, newest first
	$(BLUEGREEN) history

.PHONY: decommission
decommission: $(INSTALL_STAMP) ## Delete the idle COLOR's stack (refuses the live one; FORCE=1 past the grace window)
	@[ -n "$(COLOR)" ] || { echo "usage: make decommission COLOR=blue|green [FORCE=1]" >&2; exit 2; }
	$(BLUEGREEN) decommission $(COLOR) --yes $(if $(FORCE),--force)

.PHONY: unlock
unlock: $(INSTALL_STAMP) ## Break the lock on purpose, on the record: make unlock REASON="..."
	@[ -n "$(REASON)" ] || { echo 'usage: make unlock REASON="why"' >&2; exit 2; }
	$(BLUEGREEN) unlock --force --reason "$(REASON)"

.PHONY: delete-domain delete-blue delete-green delete-data
delete-domain: $(INSTALL_STAMP) ## sam delete the custom-domain stack (first, in cleanup; history stays)
	$(SAM_DELETE) --config-file $(abspath samconfig/custom-domain.toml)
# A color is deleted through decommission's guards (never the live or a mapped color), under the lock.
delete-blue: $(INSTALL_STAMP) ## Delete the blue stack (refused while blue is live or mapped)
	$(BLUEGREEN) decommission blue --yes --force
delete-green: $(INSTALL_STAMP) ## Delete the green stack (refused while green is live or mapped)
	$(BLUEGREEN) decommission green --yes --force
delete-data: $(INSTALL_STAMP) ## Delete the data stack (last): make delete-data CONFIRM=<its stack name>
	@stack=$$(sed -n '/^\[$(CONFIG_ENV)\.deploy\.parameters\]/,/^\[/s/^stack_name *= *"\(.*\)"/\1/p' samconfig/data.toml); \
	if [ "$(CONFIRM)" != "$$stack" ]; then \
		echo "refusing: deleting the data stack needs CONFIRM=$$stack (its tables are retained anyway: delete them by hand to drop orders and history)" >&2; exit 2; fi; \
	exports=$$($(BLUEGREEN) exec -- aws cloudformation list-exports --output text --query "Exports[?starts_with(Name, '$$stack-')].Name") || \
		{ echo "refusing: could not list the data stack's exports to check nothing imports them" >&2; exit 2; }; \
	for name in $$exports; do \
		if users=$$($(BLUEGREEN) exec -- aws cloudformation list-imports --export-name "$$name" --output text --query 'Imports' 2>&1); then \
			echo "refusing: $$name is imported by $$users (CloudFormation would leave the delete waiting): delete the colors first" >&2; exit 2; \
		elif ! echo "$$users" | grep -q "is not imported by any stack"; then \
			echo "refusing: could not check who imports $$name: $$users" >&2; exit 2; fi; \
	done
	$(SAM_DELETE) --config-file $(abspath samconfig/data.toml)

.PHONY: local-up
local-up: $(INSTALL_STAMP) ## Run the local cloud in the foreground (Ctrl-C stops it)
	$(BIN)/localcloud up

.PHONY: demo
demo: $(INSTALL_STAMP) ## The whole blue/green flow against a fresh local cloud
	$(BIN)/python -m localcloud.demo

.PHONY: test
test: $(INSTALL_STAMP) ## Unit, template, local-cloud and end-to-end tests
	$(BIN)/python -m pytest

.PHONY: bench
bench: $(INSTALL_STAMP) ## Zero-downtime benchmark: load through the custom domain across switches
	$(BIN)/python -m localcloud.bench

.PHONY: bench-deploy
bench-deploy: $(INSTALL_STAMP) ## Deploy benchmark: first deploy, no-change and changed redeploys (seconds, lines)
	$(BIN)/python -m localcloud.deploy_bench

.PHONY: diagram
diagram: ## Regenerate architecture/architecture.png from architecture/architecture.dot (Graphviz)
	@command -v dot >/dev/null || { echo "error: Graphviz 'dot' not found (apt-get install graphviz)" >&2; exit 2; }
	dot -Tpng -Gdpi=110 architecture/architecture.dot -o architecture/architecture.png

.PHONY: clean
clean: ## Remove build output and local state (keeps .venv)
	rm -rf .aws-sam .localcloud .pytest_cache .mypy_cache .ruff_cache .hypothesis

-include mk/*.mk
