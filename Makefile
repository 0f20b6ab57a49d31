# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
# `make run PORT=5101` serves on another port; links in mails follow through BASE_URL.
PORT ?= 5000
BASE_URL ?= http://127.0.0.1:$(PORT)
DEV_ENV := APP_ENV=development DEMO_JOBS_ENABLED=1 MAIL_BACKEND=console BASE_URL=$(BASE_URL)
# Test processes side by side (pytest-xdist), one per core; each file's tests stay together.
TEST_WORKERS ?= 2
# Where `make screenshots` saves the browser journeys' screenshots (README.md shows some).
SCREENSHOTS_DIR ?= docs/screenshots

.PHONY: run serve test install install-dev translations translations-update migrate seed lint format css screenshots

run: install translations ## Install, migrate, load demo data and serve on http://127.0.0.1:$(PORT)
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) demo seed
	@echo
	@echo "  Naoberpanel is running: open $(BASE_URL)"
	@echo "  Log in at $(BASE_URL)/login with a demo account listed above,"
	@echo "  e.g. ambtenaar@middendrenthe.example (official); the login mail with its"
	@echo "  link is printed below in this terminal."
	@echo "  As the official: demo job with progress at $(BASE_URL)/jobs/demo"
	@echo "  Health check: $(BASE_URL)/healthz. Stop with Ctrl+C."
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port $(PORT)

serve: install translations ## Production: migrate, then run web, mail and job workers (docs/deployment.md)
	$(BIN)/python -m core.serve

test: install-dev translations ## Install everything and run lint and the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest -n $(TEST_WORKERS) --dist loadfile

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

$(VENV)/.runtime-installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.dev-installed: requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@ $(VENV)/.runtime-installed

install: $(VENV)/.runtime-installed

install-dev: $(VENV)/.dev-installed

translations: install ## Compile the message catalogues
	$(BIN)/pybabel compile -d translations

translations-update: install ## Extract new texts and merge them into the catalogues
	$(BIN)/pybabel extract -F babel.cfg -k _l --no-location --sort-output -o translations/messages.pot --ignore-dirs='.venv frontend tests node_modules' .
	$(BIN)/pybabel update -i translations/messages.pot -d translations --no-fuzzy-matching --width 100

migrate: install ## Apply database migrations (development database)
	$(DEV_ENV) $(FLASK) db upgrade

lint: install-dev
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install-dev
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

css: ## Rebuild static/css/naoberpanel.css from the NL Design System packages (needs Node.js)
	bash frontend/build.sh

screenshots: install-dev translations ## Walk the browser journeys and save their screenshots in $(SCREENSHOTS_DIR)
	rm -f $(SCREENSHOTS_DIR)/*.png
	SCREENSHOTS_DIR=$(SCREENSHOTS_DIR) REQUIRE_BROWSER=1 $(BIN)/pytest -q tests/e2e/test_journeys.py
