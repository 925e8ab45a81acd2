# eventweek: `make run` serves the demo, `make test` runs every test.
# Only Python 3.11 and make are needed; everything else installs into .venv.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test install install-dev translations extract-messages lint format migrate serve clean bench audit

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(sys.version_info[:2] < (3, 11) and "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: $(BIN)/python requirements.txt
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: $(VENV)/.installed requirements-dev.txt
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations

install-dev: $(VENV)/.installed-dev translations

# Compiled catalogues are build products, made from the .po files on every build.
translations: $(VENV)/.installed
	$(BIN)/pybabel compile -d eventweek/translations --statistics

instance/secret_key:
	mkdir -p instance
	$(BIN)/python -c 'import secrets; print(secrets.token_hex(32))' > $@
	chmod 600 $@

migrate: install instance/secret_key
	$(FLASK) db upgrade

# The local demo lets the demo accounts (README, "Demo accounts") sign in.
run: export DEMO_ACCOUNTS_ENABLED = true
run: migrate
	$(FLASK) seed-demo --if-empty
	@echo "Serving the demo on http://$(HOST):$(PORT)/ (Ctrl+C to stop)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# Load benchmarks (minutes; not part of `make test`): fresh SQLite database, and PostgreSQL
# when BENCH_DATABASE_URL is set; writes the table into benchmarks/README.md.
bench: install-dev
	$(BIN)/python benchmarks/run.py

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Security audit: bandit on our code (every finding fails; accepted ones carry `# nosec BXXX`),
# pip-audit on the runtime pins (a known vulnerability fails). Accepted findings and why:
# docs/decisions/0006-accepted-audit-findings.md. `--timeout` bounds each request and
# `timeout` the whole run, so an unreachable network fails instead of hanging.
# PIP_AUDIT_STRICT=--strict also fails when a package could not be checked at all.
PIP_AUDIT_IGNORE ?=
PIP_AUDIT_STRICT ?=
audit: $(VENV)/.installed-dev
	$(BIN)/bandit -r eventweek app.py -q
	timeout 600 $(BIN)/pip-audit -r requirements.txt --progress-spinner off --timeout 20 \
		$(PIP_AUDIT_STRICT) $(PIP_AUDIT_IGNORE)

format: $(VENV)/.installed-dev
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

# After changing user-facing text: refresh the catalogues, then translate the new entries.
extract-messages: $(VENV)/.installed
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 --no-location --sort-output \
		--ignore-dirs '.* __pycache__' -o eventweek/translations/messages.pot eventweek templates
	$(BIN)/pybabel update -i eventweek/translations/messages.pot -d eventweek/translations --no-fuzzy-matching

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	find eventweek/translations -name '*.mo' -delete
