# NordLearn. `make run` sets up everything and serves http://127.0.0.1:5000; `make test` runs the suite.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
FLASK := $(VENV)/bin/flask --app wsgi
PYBABEL := $(VENV)/bin/pybabel
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run serve db courses test translations-extract translations-update translations-compile bench clean

install: $(VENV)/.installed translations-compile

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $@

db: install
	$(FLASK) db upgrade

courses: db
	$(FLASK) courses import courses

# The site and the background worker together; when either stops (Ctrl-C stops both), the other stops too.
# Links in e-mails, calendar files and the LTI configuration use LMS_BASE_URL: by default this address.
run: courses
	@export LMS_BASE_URL="$${LMS_BASE_URL:-http://$(HOST):$(PORT)}"; \
	$(VENV)/bin/huey_consumer worker.huey --workers 2 --worker-type thread & worker=$$!; \
	$(FLASK) run --host $(HOST) --port $(PORT) & site=$$!; \
	trap 'kill $$worker $$site 2>/dev/null; wait' INT TERM EXIT; \
	wait -n $$worker $$site

# The Open Badges verifier the tests check credentials with runs on Node.js (libraries from the npm registry).
tests/ob3/node_modules/.installed: tests/ob3/package.json tests/ob3/package-lock.json
	@if command -v npm >/dev/null; then cd tests/ob3 && npm ci --silent --no-audit --no-fund && touch node_modules/.installed; \
	else echo "npm not found: the Open Badges verification tests will be skipped"; fi

test: install tests/ob3/node_modules/.installed
	$(PY) -m pytest $(PYTEST_ARGS)

translations-extract: $(VENV)/.installed
	$(PYBABEL) --quiet extract -F babel.cfg -k _l -k lazy_gettext -k lazy_ngettext:1,2 -k lazy_pgettext:1c,2 \
	  --add-comments=Translators: -o translations/messages.pot --project NordLearn --sort-output .

translations-update: translations-extract
	@for po in translations/*/LC_MESSAGES/messages.po; do \
	  [ -f "$$po" ] || continue; \
	  lang=$$(basename $$(dirname $$(dirname $$po))); \
	  $(PYBABEL) --quiet update --no-fuzzy-matching --ignore-obsolete -i translations/messages.pot -d translations \
	    -l $$lang; \
	done

translations-compile: $(VENV)/.installed
	@if ls translations/*/LC_MESSAGES/messages.po >/dev/null 2>&1; then $(PYBABEL) compile --statistics -d translations; fi

bench: install
	$(PY) bench/run.py

clean:
	rm -rf $(VENV) instance .pytest_cache
