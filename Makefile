# Regionbudget: `make run` starts the app with the demo data, `make test` runs every check.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
PORT   ?= 8000

.PHONY: install run dev test test-fast lint migrate demo messages stop-db clean bench

$(VENV)/.installed: pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed (found %s)." % sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed

# A local .env: random secret key, plain HTTP on 127.0.0.1, demo data allowed.
.env:
	@$(PY) -c 'import secrets; print("DJANGO_SECRET_KEY=" + secrets.token_urlsafe(50))' > .env
	@printf 'DJANGO_DEBUG=false\nDJANGO_HTTPS=false\nREGIONBUDGET_DEMO=true\n' >> .env
	@echo "Wrote .env for local use (see .env.example)."

# Migrations and the demo may run statements longer than a page's statement timeout.
migrate: install .env
	DATABASE_STATEMENT_TIMEOUT=0 $(PY) manage.py migrate --noinput

demo: migrate
	DATABASE_STATEMENT_TIMEOUT=0 $(PY) manage.py load_demo

# E-mail (reminders, notices) is printed to the console unless EMAIL_URL says otherwise.
run: demo
	$(PY) manage.py collectstatic --noinput --verbosity 0
	@echo "Regionbudget: http://127.0.0.1:$(PORT)/  (demo users in README.md, password 'demo')"
	EMAIL_URL=$${EMAIL_URL:-consolemail://} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(VENV)/bin/gunicorn regionbudget.wsgi --bind 127.0.0.1:$(PORT)  # workers: gunicorn.conf.py

# Development server with auto-reload and Django's debug pages.
dev: demo
	DJANGO_DEBUG=true EMAIL_URL=$${EMAIL_URL:-consolemail://} SITE_URL=$${SITE_URL:-http://127.0.0.1:$(PORT)} \
		$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .
	$(VENV)/bin/lint-imports

# The suite runs in parallel (pytest-xdist: one test database per worker, the demo loaded once in
# each) and in random order (pytest-randomly; the seed is printed at the top: repeat an order with
# PYTEST_ARGS=--randomly-seed=N). WORKERS=2 (or 1) uses fewer cores.
# REUSE=1 keeps the test databases between runs (--reuse-db): for local runs, not for CI.
WORKERS ?= auto
PYTEST_RUN = $(PY) -m pytest -n $(WORKERS) -p randomly $(if $(filter 1,$(REUSE)),--reuse-db)

test: lint
	$(PY) manage.py makemigrations --check --dry-run --settings=regionbudget.settings_test
	$(PYTEST_RUN) $(PYTEST_ARGS)

# Local runs: everything but the browser tests, reusing the test databases of the last run.
test-fast: install
	$(PY) -m pytest -n $(WORKERS) -p randomly --reuse-db -m "not browser" $(PYTEST_ARGS)

# Benchmark at one-, five- and twenty-region scale; writes docs/benchmarks.md (needs wrk and
# Debian's chromium). BENCH_ARGS="--quick" for a smoke run, "--scale S20" for one scale.
bench: install
	$(PY) scripts/bench.py $(BENCH_ARGS)

# Recompile the Swedish translations (needs GNU gettext).
messages: install
	$(PY) manage.py makemessages -l sv --no-obsolete --ignore '.venv/*' --ignore 'staticfiles/*' --settings=regionbudget.settings_test
	$(PY) manage.py compilemessages --ignore '.venv/*' --settings=regionbudget.settings_test

# Stop the embedded PostgreSQL (it keeps running between commands otherwise).
stop-db:
	@if [ -f .pgdata/postmaster.pid ]; then kill -INT "$$(head -1 .pgdata/postmaster.pid)" && echo "Embedded PostgreSQL stopped."; else echo "The embedded PostgreSQL is not running."; fi

clean:
	rm -rf $(VENV) staticfiles
