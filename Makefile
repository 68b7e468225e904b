# EventApp: `make run` (demo app on SQLite) and `make test` (the whole suite) from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed

.PHONY: run test install translations extract-messages lint node bench clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

install: $(STAMP) translations

translations: $(STAMP)
	$(BIN)/pybabel compile -d eventapp/translations > /dev/null

extract-messages: $(STAMP)
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext -k _ln:1,2 -k lazy_ngettext:1,2 -o eventapp/translations/messages.pot .
	$(BIN)/pybabel update -N -i eventapp/translations/messages.pot -d eventapp/translations

node_modules/.package-lock.json: package.json package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
		npm ci --no-audit --no-fund --loglevel=error && touch $@; \
	else \
		echo "npm not found: the ical.js feed tests will be skipped"; \
	fi

node: node_modules/.package-lock.json

run: install
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo
	@echo ""
	@echo "Open http://$(HOST):$(PORT)/  (console: http://$(HOST):$(PORT)/console/)"
	$(FLASK) run --host $(HOST) --port $(PORT)

test: install node
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check eventapp tests bench config.py wsgi.py

# Benchmarks need the loopback PostgreSQL (each takes --database-url); figures go in README.
bench: install
	$(BIN)/python -m bench.feeds
	$(BIN)/python -m bench.registrations
	$(BIN)/python -m bench.checkin
	$(BIN)/python -m bench.side_by_side

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
