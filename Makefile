# EventApp: `make run` (demo app on SQLite) and `make test` (the whole suite) from a fresh clone.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
STAMP := $(VENV)/.installed
# `make run` keeps its own random session key here (made once, readable by the owner only).
SECRET_KEY_FILE ?= instance/secret_key

.PHONY: run test install translations extract-messages lint node bench clean secret-key

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

# A random key, made once; an existing file is kept (sessions survive restarts).
secret-key:
	@mkdir -p "$(dir $(SECRET_KEY_FILE))"
	@if [ ! -s "$(SECRET_KEY_FILE)" ]; then \
		( umask 077 && $(PYTHON) -c 'import secrets; print(secrets.token_hex(32))' > "$(SECRET_KEY_FILE).tmp" ) && \
		mv "$(SECRET_KEY_FILE).tmp" "$(SECRET_KEY_FILE)" && echo "made a random SECRET_KEY in $(SECRET_KEY_FILE)"; \
	fi
	@chmod 600 "$(SECRET_KEY_FILE)"

# SECRET_KEY from the environment wins; otherwise the one kept in instance/.
run: install
	mkdir -p instance
	@if [ -z "$$SECRET_KEY" ]; then $(MAKE) --no-print-directory secret-key; fi
	@export SECRET_KEY="$${SECRET_KEY:-$$(cat $(SECRET_KEY_FILE))}" && \
	export PUBLIC_BASE_URL="$${PUBLIC_BASE_URL:-http://$(HOST):$(PORT)}" && \
	$(FLASK) db upgrade && \
	$(FLASK) demo && \
	echo "" && \
	echo "Open http://$(HOST):$(PORT)/  (console: http://$(HOST):$(PORT)/console/)" && \
	exec $(FLASK) run --host $(HOST) --port $(PORT)

test: install node
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check eventapp tests bench config.py wsgi.py
	$(BIN)/mypy
	$(BIN)/lint-imports

# Benchmarks need the loopback PostgreSQL (each takes --database-url); figures go in README.
bench: install
	$(BIN)/python -m bench.feeds
	$(BIN)/python -m bench.registrations
	$(BIN)/python -m bench.checkin
	$(BIN)/python -m bench.side_by_side

clean:
	rm -rf $(VENV) node_modules instance .pytest_cache
