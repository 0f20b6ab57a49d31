# Two commands for a fresh machine: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app app
DEV_ENV := APP_ENV=development DEMO_JOBS_ENABLED=1 MAIL_BACKEND=console

.PHONY: run test install install-dev translations translations-update migrate seed lint format css screenshot

run: install translations ## Install, migrate, load demo data and serve on http://127.0.0.1:5000
	$(DEV_ENV) $(FLASK) db upgrade
	$(DEV_ENV) $(FLASK) demo seed
	@echo
	@echo "  Naoberpanel is running: open http://127.0.0.1:5000"
	@echo "  Log in at http://127.0.0.1:5000/login with a demo account listed above,"
	@echo "  e.g. ambtenaar@middendrenthe.example (official); the login mail with its"
	@echo "  link is printed below in this terminal."
	@echo "  As the official: demo job with progress at http://127.0.0.1:5000/jobs/demo"
	@echo "  Health check: http://127.0.0.1:5000/healthz. Stop with Ctrl+C."
	@echo
	$(DEV_ENV) $(FLASK) run --host 127.0.0.1 --port 5000

test: install-dev translations ## Install everything and run lint and the whole suite
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/pytest

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
