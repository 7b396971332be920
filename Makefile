# condinfo developer commands. `make run` serves the demo site; `make test` runs every test.
# Installs come only from the pinned requirements*.txt and package-lock.json; a stamp file per
# install means a re-run reinstalls only when those files change.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
MANAGE := $(BIN)/python manage.py
ARGS ?=
SQLITE_URL := sqlite:///$(CURDIR)/db.sqlite3
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/test

.DEFAULT_GOAL := help
.PHONY: help run test test-postgres lint bench bench-corpus check-wrk screenshots deps dev-deps check-tools clean distclean

help:
	@echo "make run            serve the demo site at http://127.0.0.1:8000 (DEBUG on, SQLite)"
	@echo "make test           run every test on SQLite       (ARGS=\"-k search\" passes options to pytest)"
	@echo "make test-postgres  run every test on PostgreSQL   (POSTGRES_URL=$(POSTGRES_URL))"
	@echo "make lint           ruff check and ruff format --check"
	@echo "make bench          measure gunicorn + PostgreSQL + Redis under wrk (ARGS=\"--explainers 100000\")"
	@echo "make bench-corpus   only build the benchmark's library in condinfo_bench (same ARGS)"
	@echo "make screenshots    run the browser tests only; screenshots land in artifacts/screenshots/"
	@echo "make clean          remove caches, artifacts/ and staticfiles/ (distclean: also .venv and node_modules)"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.installed-runtime: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements.txt
	$(BIN)/python -m pip check --disable-pip-version-check
	@touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	$(BIN)/python -m pip check --disable-pip-version-check
	@touch $(VENV)/.installed-runtime $@

# vnu-jar (the Nu HTML Checker) for the HTML validity test. --ignore-scripts: it runs on the system
# Java, so its install script must not download a JDK.
node_modules/.installed: package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund
	@touch $@

deps: $(VENV)/.installed-runtime

dev-deps: $(VENV)/.installed-dev node_modules/.installed

# Browser and HTML checks need Chromium and Java; locally their tests skip without them, under CI they fail.
check-tools:
	@for tool in /usr/bin/chromium java; do \
	  if ! command -v $$tool >/dev/null; then \
	    if [ "$$CI" = true ]; then echo "$$tool is missing: apt-get install chromium default-jre-headless" >&2; exit 1; fi; \
	    echo "warning: $$tool is missing, so the browser or HTML checks will be skipped" >&2; \
	  fi; \
	done

run: export DEBUG = 1
run: deps
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) demo_logins
	@echo
	@echo "Serving condinfo at http://127.0.0.1:8000/ (editorial admin: http://127.0.0.1:8000/admin/). Ctrl-C stops it."
	$(MANAGE) runserver 127.0.0.1:8000

test: dev-deps check-tools
	DATABASE_URL=$(SQLITE_URL) $(BIN)/pytest $(ARGS)

test-postgres: dev-deps check-tools
	DATABASE_URL=$(POSTGRES_URL) $(BIN)/pytest $(ARGS)

lint: dev-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The benchmark's own database and Redis db; it drops and rebuilds that database at another size.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/condinfo_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/13

# wrk, the load generator, is a Debian package: installed here when run as root, named otherwise.
check-wrk:
	@command -v wrk >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then apt-get install -y wrk || { apt-get update && apt-get install -y wrk; }; \
	  else echo "make bench needs wrk, the load generator: sudo apt-get install wrk" >&2; exit 1; fi; }

bench: deps check-wrk
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/measure.py $(ARGS)

bench-corpus: deps
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) $(BIN)/python bench/measure.py --corpus-only $(ARGS)

screenshots: dev-deps check-tools
	DATABASE_URL=$(SQLITE_URL) $(BIN)/pytest -m browser $(ARGS)
	@echo "Screenshots: artifacts/screenshots/"

clean:
	rm -rf artifacts staticfiles .pytest_cache .ruff_cache
	find . -path ./.venv -prune -o -path ./node_modules -prune -o -name __pycache__ -type d -exec rm -rf {} +

distclean: clean
	rm -rf $(VENV) node_modules
