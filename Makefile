# The two commands: `make run` (set up and serve) and `make test` (set up and test).
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.requirements-installed

.PHONY: run test lint setup messages check-messages migrate seed check-deploy clean bench-import

$(PY):
	$(PYTHON) -m venv $(VENV) || python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): requirements.txt | $(PY)
	$(PY) -m pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP) messages

# Translations: the repository holds .po sources only; compile them to .mo
# (locale/, locale_django/ and locale_apps/, see README "Languages"). Needs GNU gettext's msgfmt.
messages: $(STAMP)
	@command -v msgfmt >/dev/null 2>&1 || { \
	  echo "msgfmt not found: the translations need GNU gettext (Debian/Ubuntu: apt-get install gettext; macOS: brew install gettext)." >&2; \
	  exit 1; }
	$(PY) manage.py compilemessages --verbosity 0 --ignore .venv --ignore var --ignore staticfiles --ignore node_modules

# Our catalogues are complete: makemessages finds nothing new (POT-Creation-Date
# aside) and msgfmt counts no untranslated or fuzzy message in locale/uz and locale/ru.
# What is left to translate: tools/messages.py todo (README "Languages").
check-messages: $(STAMP)
	DEBUG=True $(PY) tools/messages.py check

# settings.py defaults to DEBUG=False (the production value); the development
# targets turn it on explicitly unless the environment already says otherwise.
messages migrate seed run: export DEBUG ?= True

migrate: setup
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

run: seed
	$(PY) manage.py ensure_admin
	mkdir -p var/celery-broker/processed var/celery-broker/control var/media
	@echo "Admin: http://127.0.0.1:8000/admin/  (worker and beat run beside it; Ctrl-C stops all three)"
	$(VENV)/bin/honcho start -f Procfile

test: setup
	$(PY) -m pytest $(PYTEST_ARGS)

# Ruff (lint + format check) and the app layers (import-linter); both in pyproject.toml.
lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports

check-deploy: setup
	DEBUG=False SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(60))') \
	ALLOWED_HOSTS=crm.example.com $(PY) manage.py check --deploy --fail-level WARNING

# Mutation testing of the business rules (tools/mutation.py; takes long, never in CI).
# MODULES="leads/phones.py intake/security.py" runs only those; the kill rates print at the end.
.PHONY: mutation
mutation: setup
	$(PY) tools/mutation.py $(MODULES)

bench-import: setup
	$(PY) bench/import_bench.py

clean:
	rm -rf $(VENV) var db.sqlite3

# Analytics rollup benchmark: 1,000,000 leads into a throwaway PostgreSQL database
# (BENCH_DATABASE_URL, default crm_bench_analytics); takes minutes, never run in CI.
.PHONY: bench-analytics
bench-analytics: setup
	$(PY) bench/analytics_bench.py $(BENCH_ARGS)

# The API contract (api/openapi.yaml, English): regenerate after changing an
# endpoint or a field, and review the diff; tests/api/test_schema.py holds it equal.
.PHONY: api-schema
api-schema: setup
	$(PY) manage.py spectacular --lang en --validate --fail-on-warn --file api/openapi.yaml
