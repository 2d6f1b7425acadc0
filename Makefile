# Two commands: `make run` (serve the demo on http://127.0.0.1:8000) and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip --disable-pip-version-check -q
MANAGE := $(PY) manage.py

.PHONY: run test lint bench messages check-deploy clean

# The development server: DEBUG on unless the environment says otherwise.
run: export DEBUG ?= true
run: $(VENV)/.installed messages
	$(MANAGE) migrate --noinput
	$(MANAGE) seed_demo
	PATH="$(abspath $(VENV))/bin:$$PATH" honcho -d . start

test: $(VENV)/.installed-test messages
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/pytest

lint: $(VENV)/.installed-test
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

$(VENV)/.installed: pyproject.toml build-constraints.txt
	test -x $(PY) || python3 -m venv $(VENV)
	$(PIP) install --upgrade "pip>=25.3"
	$(PIP) install --build-constraint build-constraints.txt -e .
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP) install --build-constraint build-constraints.txt -e ".[test]"
	touch $@

# Compiled catalogues are generated, not committed.
MO := $(patsubst %.po,%.mo,$(wildcard locale/*/LC_MESSAGES/django.po))
messages: $(MO)
locale/%.mo: locale/%.po
	msgfmt --check -o $@ $<

clean:
	rm -rf $(VENV) var staticfiles
