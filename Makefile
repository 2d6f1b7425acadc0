# Two commands: `make run` (serve the demo on http://127.0.0.1:8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py

.PHONY: run test lint bench bench-pages messages clean chromium

# The development server: DEBUG on unless the environment says otherwise.
run: export DEBUG ?= true
run: $(VENV)/.installed messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	PATH="$(abspath $(VENV))/bin:$$PATH" honcho -d . start

test: $(VENV)/.installed-test messages chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/lint-imports --no-cache
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

$(VENV)/.installed: pyproject.toml build-constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --upgrade "pip>=25.3"
	$(PIP) install --build-constraint build-constraints.txt .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --build-constraint build-constraints.txt ".[test]"
	touch $@

# The browser journeys (tests/e2e/) drive Debian's Chromium; Playwright downloads no browser of its own.
chromium:
	command -v chromium > /dev/null || (apt-get update && apt-get install -y chromium)
	@# The journeys' screenshots (var/e2e/) are read by people: Chinese needs a CJK font.
	fc-list :lang=zh | grep -q . || (apt-get update && apt-get install -y fonts-noto-cjk)

# Compiled catalogues are generated, not committed.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO)
locale/%.mo: locale/%.po
	msgfmt --check -o $@ $<

# The sweep on PostgreSQL with 1,000,000 open deadlines (10,000 due), and with a tenth of them:
# the query count must not change with the table's size. BENCH_ARGS="--open N --due M" for others.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/casework_bench
bench: $(VENV)/.installed
	createdb -h 127.0.0.1 -U postgres casework_bench 2> /dev/null || true
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench ALLOWED_HOSTS=localhost $(MANAGE) bench_sweep --open 100000 $(BENCH_ARGS)
	DATABASE_URL=$(BENCH_DATABASE_URL) SECRET_KEY=bench ALLOWED_HOSTS=localhost $(MANAGE) bench_sweep $(BENCH_ARGS)

# Every home, list and detail page of every role at company size (casework_bench_pages, built once:
# 100 campuses, 100,000 students, 10 million events ...) beside the demo (casework_bench_demo), under
# load from 8 signed-in clients. BENCH_PAGES_ARGS="--scale 0.01" for a small company; see --help.
bench-pages: $(VENV)/.installed messages
	DJANGO_SETTINGS_MODULE=benchmarks.settings nice $(MANAGE) bench_pages $(BENCH_PAGES_ARGS)

clean:
	rm -rf $(VENV) var staticfiles
