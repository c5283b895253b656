# The two commands a newcomer needs: `make run` and `make test`.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PYTHON_VERSION := $(shell cat .python-version)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install install-test database browser lint format migrations-check fixtures serve clean bench bench-again bench-smoke

## Everything a local run needs, then the development server on http://127.0.0.1:8000
run: install database
	$(PY) manage.py runserver $(HOST):$(PORT)

## Install what the tests need (venv, Chromium, CJK fonts), then run every test
test: install-test database browser
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest $(PYTEST_ARGS)

$(PY):
	@python=$$(scripts/find_python.sh $(PYTHON_VERSION)) && $$python -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

## Postgres up, database created if missing, migrated, the document loaded, demo logins
database:
	scripts/ensure_postgres.sh
	$(PY) manage.py createdb_if_missing
	$(PY) manage.py migrate --no-input
	$(PY) manage.py bootstrap

browser:
	scripts/ensure_browser.sh

## Re-import the document and rewrite fixtures/tags.json and fixtures/questions.json
fixtures: install database
	$(PY) manage.py import_document

## Production server (gunicorn, 2 cores: 5 workers) with static files from whitenoise
serve: install database
	DEBUG=false $(PY) manage.py collectstatic --no-input -v0
	DEBUG=false $(VENV)/bin/gunicorn quizsite.wsgi --bind $(HOST):$(PORT) --workers 5

BENCH_DB ?= quizsite_bench
# Production settings for the in-process benchmarks (the load test serves them itself).
BENCH_ENV := DEBUG=false SECRET_KEY=bench-only-not-secret ALLOWED_HOSTS=testserver SECURE_SSL_REDIRECT=false

## The whole suite, by hand (not in CI), writing bench/RESULTS.md: seed 100,000 users, 1,000
## teams and 10,000,000 responses and rebuild the aggregates (the long part), then the
## dashboard and leaderboards at that size, then the load test on the same database
bench: $(VENV)/.installed-bench database
	$(PY) bench/seed.py --database $(BENCH_DB) --json bench/results/seed.json
	$(MAKE) bench-again

## The measurements again on the seeded database, without seeding
bench-again: $(VENV)/.installed-bench database
	$(BENCH_ENV) $(PY) manage.py collectstatic --no-input -v0
	$(BENCH_ENV) $(PY) bench/dashboard.py --reuse --database $(BENCH_DB) --json bench/results/dashboard.json
	$(BENCH_ENV) $(PY) bench/leaderboard.py --reuse --database $(BENCH_DB) --json bench/results/leaderboard.json
	$(PY) bench/run.py --reuse --database $(BENCH_DB) $(BENCH_ARGS)

## The same in seconds per phase (small enough for CI): bench/results/smoke/RESULTS.md
bench-smoke: $(VENV)/.installed-bench database
	$(PY) bench/run.py --smoke $(BENCH_ARGS)

$(VENV)/.installed-bench: pyproject.toml | $(PY)
	$(PY) -m pip install --quiet -e '.[bench]'
	touch $@ $(VENV)/.installed

lint:
	$(VENV)/bin/ruff check . && $(VENV)/bin/ruff format --check .

format:
	$(VENV)/bin/ruff check --fix . && $(VENV)/bin/ruff format .

clean:
	rm -rf $(VENV) staticfiles
