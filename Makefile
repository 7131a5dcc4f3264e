# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app campaign
HOST ?= 127.0.0.1
PORT ?= 5000
# axe-core, the accessibility checker the browser tests inject into pages (npm, git-ignored).
AXE_VERSION ?= 4.14.1
AXE := .axe/node_modules/axe-core/axe.min.js
# make run shows the demo campaign, so the site goes by that campaign's name unless
# CAMPAIGN_SITE_NAME says otherwise.
DEMO_SITE_NAME ?= Solidarity with Ainur Kurmanov
# Every install takes the versions CI tested (`make lock` writes them anew).
PIP_INSTALL := $(BIN)/pip install --quiet --disable-pip-version-check -c constraints.txt

.PHONY: run test test-fast lint typecheck imports security axe bench install install-test migrate messages catalogues lock clean
# The catalogues: the shipped languages (every configured one but English, the source).
CATALOGUES := campaign/translations
SHIPPED_LANGUAGES ?= ru kk

$(BIN)/python:
	@echo "Creating $(VENV) and installing (a minute or two the first time)..."
	@$(PYTHON) -m venv $(VENV)
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml constraints.txt
	@$(PIP_INSTALL) -e .
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml constraints.txt
	$(PIP_INSTALL) -e '.[test]'
	touch $@

install: $(VENV)/.installed catalogues

install-test: $(VENV)/.installed-test catalogues

$(AXE):
	npm install --silent --no-save --no-package-lock --no-audit --no-fund --prefix .axe \
	  axe-core@$(AXE_VERSION)

## make axe: fetch axe-core for the browser tests' accessibility check (needs npm).
axe: $(AXE)

## make run: install quietly, migrate, load the demo into an empty database, create the first
## admin (its one-time password printed last, in a box), serve with the debugger on loopback only.
run: install
	@$(FLASK) serve --check --host $(HOST) --port $(PORT)
	@$(FLASK) db upgrade > $(VENV)/upgrade.log 2>&1 || { cat $(VENV)/upgrade.log; exit 1; }
	@$(FLASK) init --sign-in-url http://$(HOST):$(PORT)/login
	@CAMPAIGN_SITE_NAME="$${CAMPAIGN_SITE_NAME:-$(DEMO_SITE_NAME)}" $(FLASK) serve --host $(HOST) --port $(PORT)

## make test: install with the test extra, lint, type-check, check the layers, run the whole suite.
test: install-test lint typecheck imports $(if $(filter 1,$(CAMPAIGN_BROWSER_TESTS)),axe)
	$(BIN)/pytest --cov=campaign --cov-report=term:skip-covered --cov-fail-under=90

## make test-fast: the suite without the slow tests (packaging, several processes, migrations,
## the browser) and without PostgreSQL, on two workers: the check to run while working.
test-fast: install-test
	TEST_DATABASE_URL= CAMPAIGN_BROWSER_TESTS= $(BIN)/pytest -q -m "not slow" -n 2

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/bandit -c pyproject.toml -r campaign -q

typecheck: install-test
	$(BIN)/mypy

## make imports: the import contracts in pyproject.toml (import-linter).
imports: install-test
	$(BIN)/lint-imports

## make security: the hostile-input walk with the whole corpus (tests/security), on SQLite and,
## with TEST_DATABASE_URL set, on PostgreSQL; it prints its figures at the end.
security: install-test
	CAMPAIGN_HOSTILE_CORPUS=full CAMPAIGN_BROWSER_TESTS= $(BIN)/pytest tests/security -q -n 2 \
	  -k "not parsers"

## make bench: the public pages of a verdict day under gunicorn (2 workers) and wrk, 32 clients,
## on SQLite (DB=postgres with BENCH_DATABASE_URL for PostgreSQL); bench/run.py says what it does.
bench: install-test
	DB=$(DB) $(BIN)/python bench/run.py
	$(BIN)/python -m bench.nothing_lost $(if $(BENCH_DATABASE_URL),--database sqlite --database $(BENCH_DATABASE_URL))

## make cluster-test: README's several-machines layout (PostgreSQL, Redis, two app hosts, nginx)
## in network namespaces, one host stopped mid-run; needs root and `ip netns` (else it skips).
.PHONY: cluster-test
cluster-test: install-test
	$(BIN)/python -m bench.cluster

migrate: install
	$(FLASK) db upgrade

## make messages: extract translatable strings into campaign/translations/messages.pot, bring
## every shipped language's catalogue up to date with it (a new language's is created), and
## compile them. tests/i18n says what is still untranslated, fuzzy or has broken placeholders.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l --sort-by-file -o $(CATALOGUES)/messages.pot .
	@for lang in $(SHIPPED_LANGUAGES); do \
	  if [ -f $(CATALOGUES)/$$lang/LC_MESSAGES/messages.po ]; then \
	    $(BIN)/pybabel update -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) -l $$lang; \
	  else \
	    $(BIN)/pybabel init -i $(CATALOGUES)/messages.pot -d $(CATALOGUES) -l $$lang; \
	  fi; \
	done
	@$(MAKE) --no-print-directory catalogues

## make catalogues: compile the .po catalogues into the .mo files the app reads from a checkout
## (the wheel compiles its own: hatch_build.py). `make install` runs it.
catalogues: $(VENV)/.installed
	@if ls $(CATALOGUES)/*/LC_MESSAGES/messages.po > /dev/null 2>&1; then \
	  $(BIN)/pybabel compile --statistics -d $(CATALOGUES) 2>&1 | grep -v "^compiling" || true; \
	fi

## make lock: resolve the dependencies afresh in a scratch venv and write constraints.txt.
lock:
	rm -rf .venv-lock
	$(PYTHON) -m venv .venv-lock
	.venv-lock/bin/pip install --quiet --upgrade pip
	.venv-lock/bin/pip install --quiet -e '.[test]'
	{ echo "# The versions make run and make test install (pip -c). Regenerate with: make lock"; \
	  .venv-lock/bin/pip freeze --exclude-editable; } > constraints.txt
	rm -rf .venv-lock

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
