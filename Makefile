# Two commands set up a fresh machine: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: install run test test-fast lint format translations compile-translations chromium db demo clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(INSTALLED)

compile-translations: install
	$(BIN)/pybabel compile --use-fuzzy -d translations --statistics 2>&1 | grep -v '^compiling' || true
	$(BIN)/pybabel compile -d translations -f >/dev/null

db: install compile-translations
	mkdir -p instance
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty

run: db
	$(FLASK) run --host $(HOST) --port $(PORT)

chromium:
	@if command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ]; then :; \
	elif [ "$$(id -u)" = "0" ]; then \
		echo "Installing Debian's chromium for the browser tests..."; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	else \
		echo "The browser tests need Chromium at /usr/bin/chromium."; \
		echo "Install it with: sudo apt-get install chromium   (Debian/Ubuntu)"; \
		exit 1; \
	fi

test: install compile-translations chromium
	$(BIN)/pytest $(PYTEST_ARGS)

# Everything but the browser tests, for a quick loop while coding.
test-fast: install compile-translations
	$(BIN)/pytest -m "not browser" $(PYTEST_ARGS)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

LOCALES := fr de es it uk ar

translations: install
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_ngettext:1,2 -o translations/messages.pot --no-location --sort-output --project cohortapp .
	@for code in $(LOCALES); do \
		[ -f translations/$$code/LC_MESSAGES/messages.po ] || $(BIN)/pybabel init -i translations/messages.pot -d translations -l $$code; \
	done
	$(BIN)/pybabel update -i translations/messages.pot -d translations --ignore-obsolete --no-fuzzy-matching
	$(BIN)/pybabel compile -d translations --statistics

demo: db

clean:
	rm -rf $(VENV) instance/cohortapp.db*
