# Two commands do everything on a fresh clone: `make run` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app campaign
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test lint typecheck bench install install-test migrate messages clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python pyproject.toml
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

## make run: install, migrate, load the demo into an empty database, create the first admin, serve.
run: install
	$(FLASK) db upgrade
	$(FLASK) init
	$(FLASK) run --debug --host $(HOST) --port $(PORT)

## make test: install with the test extra, lint, type-check, run the whole suite.
test: install-test lint typecheck
	$(BIN)/pytest --cov=campaign --cov-report=term:skip-covered --cov-fail-under=90

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install-test
	$(BIN)/mypy

## make bench: the long-case page timings, then SQLite under several gunicorn workers.
bench: install-test
	$(BIN)/python bench/run.py
	$(BIN)/python bench/sqlite_writers.py

migrate: install
	$(FLASK) db upgrade

## make messages: extract translatable strings into campaign/translations/messages.pot.
messages: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -o campaign/translations/messages.pot .

clean:
	rm -rf $(VENV) build dist .pytest_cache .ruff_cache .mypy_cache
