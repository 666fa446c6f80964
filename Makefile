# jixing — the two commands: `make run` and `make test` (see README.md).
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# The task worker: the database queue by default; with JIXING_TASKS=redis the RQ worker (jixing/core/tasks_rq.py).
WORKER = $(if $(filter redis,$(JIXING_TASKS)),$(MANAGE) rqworker --job-class django_tasks_rq.Job default,$(MANAGE) db_worker --queue-name default)
HOST ?= 127.0.0.1:8000

.PHONY: run serve test setup install env db demo lint bench messages clean-db worker openapi-diff

$(VENV)/.installed: requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "jixing needs Python 3.11 or newer")'
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	touch $@

install: $(VENV)/.installed

# Local keys for the embedded demo database; production sets these in its environment.
var/.env: | $(VENV)/.installed
	mkdir -p var
	$(PY) -c 'import base64,os,secrets; print("DJANGO_SECRET_KEY="+secrets.token_urlsafe(50)); print("JIXING_DATA_KEYS=k1:"+base64.b64encode(os.urandom(32)).decode()); print("JIXING_HASH_KEY="+base64.b64encode(os.urandom(32)).decode()); print("JIXING_AUDIT_KEY="+base64.b64encode(os.urandom(32)).decode())' > $@.tmp
	chmod 600 $@.tmp && mv $@.tmp $@

# A var/.env written before the audit chain was keyed gets its audit key added once.
env: var/.env
	@grep -q '^JIXING_AUDIT_KEY=' var/.env || $(PY) -c 'import base64,os; print("JIXING_AUDIT_KEY="+base64.b64encode(os.urandom(32)).decode())' >> var/.env

db: install env
	$(MANAGE) migrate --noinput -v0
	$(MANAGE) createcachetable
	$(MANAGE) load_reference

demo: db
	$(MANAGE) seed_demo --scale small --seed 2025

setup: demo

run: setup
	@$(MANAGE) demo_accounts
	@echo "jixing: http://$(HOST)/  (web server and task worker, DEBUG off; Ctrl-C stops both)"
	@trap 'kill 0' EXIT INT TERM; \
	  $(MANAGE) db_worker --queue-name default & \
	  DJANGO_DEBUG=$${DJANGO_DEBUG:-0} $(MANAGE) runserver --insecure $(HOST)

# The production stack on this machine (README "make serve"): gunicorn with workers from the core
# count, whitenoise serving hashed static files, the task worker and the built-in scheduler.
# Uses the data `make setup` / `make run` created (or DATABASE_URL); DEBUG off, pooled connections.
serve: db
	DJANGO_DEBUG=false $(MANAGE) collectstatic --noinput -v0
	@echo "jixing (production stack): http://$(HOST)/  readiness: http://$(HOST)/readyz  (Ctrl-C stops all)"
	@export DJANGO_DEBUG=false DATABASE_POOL_MAX_SIZE=$${DATABASE_POOL_MAX_SIZE:-4} JIXING_BIND=$(HOST); \
	  trap 'kill 0' EXIT INT TERM; \
	  $(WORKER) & \
	  $(MANAGE) run_scheduler & \
	  $(VENV)/bin/gunicorn -c config/gunicorn.py config.wsgi & \
	  wait

worker: install env
	$(WORKER)

# The whole suite on SQLite, then again on PostgreSQL when DATABASE_URL names one. Serial by
# default; TEST_WORKERS / PG_TEST_WORKERS=N spread it over N pytest-xdist workers (each with a
# test database and a var/ folder of its own; tests marked xdist_group run in one worker). On this
# 2-core machine 2 workers were not faster (docs/benchmarks.md "Test suite wall time").
TEST_WORKERS ?= 0
PG_TEST_WORKERS ?= 0
XDIST = -n $(1) --dist loadgroup
test: install env
	env -u DATABASE_URL $(PY) -m pytest $(call XDIST,$(TEST_WORKERS))
	@if [ -n "$$DATABASE_URL" ]; then echo "== again on PostgreSQL"; $(PY) -m pytest $(call XDIST,$(PG_TEST_WORKERS)); fi

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/mypy .
	$(VENV)/bin/lint-imports

# Benchmarks run against PostgreSQL (each in a database of its own); NAME picks one module.
bench: install env
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/jixing} $(PY) -m bench $(NAME)

messages: install
	cd jixing && ../$(MANAGE) makemessages -l zh_Hans --no-obsolete && ../$(MANAGE) compilemessages -l zh_Hans

clean-db:
	rm -f var/jixing.sqlite3*

# The API's OpenAPI document of the work tree against a git ref (default: the branch's merge base with main): a diff, exit 1 if it differs.
openapi-diff: install
	scripts/openapi_diff.sh $(REF)
