# Jixiao: `make run` to try it, `make test` to check it. Everything a fresh Debian machine lacks is installed here.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
export JIXIAO_DATA_DIR ?= $(CURDIR)/var
DEV_ENV := DEBUG=1 SECRET_KEY=$${SECRET_KEY:-dev-only-not-secret}

.PHONY: run test lint typecheck migrations-check bench venv deps test-deps assets system-deps spark-deps lock clean

$(BIN)/python:
	@# Debian ships the venv module (ensurepip) separately from python3.
	@$(PYTHON) -c 'import ensurepip' 2>/dev/null || \
	  (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq python3-venv)
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip

venv: $(BIN)/python

deps: venv
	$(BIN)/pip install -q -r requirements/base.lock
	$(BIN)/pip install -q --no-deps -e .

test-deps: venv
	$(BIN)/pip install -q -r requirements/test.lock
	$(BIN)/pip install -q --no-deps -e .

spark-deps: test-deps
	@command -v java >/dev/null || (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq default-jre-headless)
	$(BIN)/pip install -q -r requirements/spark.lock

# Front-end assets come from the npm registry through package-lock.json and are served locally (no CDN).
assets: jixiao/static/vendor/.installed

# Tabler's files name their source maps, so the maps are copied too: collectstatic refuses dangling references.
jixiao/static/vendor/.installed: package-lock.json Makefile
	npm ci --no-audit --no-fund --loglevel=error
	mkdir -p jixiao/static/vendor/tabler jixiao/static/vendor/htmx jixiao/static/vendor/echarts
	cp node_modules/@tabler/core/dist/css/tabler.min.css node_modules/@tabler/core/dist/css/tabler.min.css.map \
	  node_modules/@tabler/core/dist/js/tabler.min.js node_modules/@tabler/core/dist/js/tabler.min.js.map \
	  jixiao/static/vendor/tabler/
	cp node_modules/htmx.org/dist/htmx.min.js jixiao/static/vendor/htmx/
	cp node_modules/echarts/dist/echarts.min.js jixiao/static/vendor/echarts/
	touch $@

# Chromium and CJK fonts for the browser tests (Debian packages; Playwright's own browser download is not used).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk; fi

run: deps assets
	$(DEV_ENV) $(BIN)/jixiao migrate --noinput
	$(DEV_ENV) $(BIN)/jixiao load_demo
	@echo "绩效 Jixiao 已启动:http://127.0.0.1:$(PORT)/  (Ctrl+C 停止)"
	@$(DEV_ENV) $(BIN)/jixiao demo_logins
	@# Stop the worker whenever the server stops (Ctrl+C, crash, port in use).
	@$(DEV_ENV) $(BIN)/jixiao run_huey > >(sed -u 's/^/[worker] /') 2>&1 & worker=$$!; \
	  trap 'kill $$worker 2>/dev/null; wait $$worker' EXIT; \
	  $(DEV_ENV) $(BIN)/jixiao runserver 127.0.0.1:$(PORT) --noreload

lint: test-deps
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: test-deps
	DEBUG=1 $(BIN)/mypy jixiao

migrations-check: test-deps
	$(DEV_ENV) $(BIN)/jixiao makemigrations --check --dry-run

test: test-deps spark-deps assets system-deps lint typecheck migrations-check
	$(DEV_ENV) DJANGO_ALLOW_ASYNC_UNSAFE=true $(BIN)/pytest $(PYTEST_ARGS)

bench: test-deps assets
	$(DEV_ENV) $(BIN)/python -m bench.run_all

# Regenerate the lock files from requirements/*.txt (needs the registry).
lock:
	rm -rf /tmp/jixiao-lock && $(PYTHON) -m venv /tmp/jixiao-lock
	/tmp/jixiao-lock/bin/pip install -q -r requirements/base.txt && /tmp/jixiao-lock/bin/pip freeze > requirements/base.lock
	/tmp/jixiao-lock/bin/pip install -q -r requirements/test.txt && /tmp/jixiao-lock/bin/pip freeze > requirements/test.lock

clean:
	rm -rf $(VENV) node_modules jixiao/static/vendor var/test.sqlite3
