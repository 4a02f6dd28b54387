# Partnership workspace — run `make help` for the list of commands.
SHELL := bash
.DEFAULT_GOAL := help
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000

$(VENV)/.base: requirements/base.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements/base.txt
	$(PY) -m pip check
	touch $@

$(VENV)/.dev: $(VENV)/.base requirements/dev.txt
	$(PY) -m pip install --quiet -r requirements/dev.txt
	$(PY) -m pip check
	touch $@

.PHONY: help
help: ## Show this list
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-10s %s\n", $$1, $$2}'

.PHONY: install
install: $(VENV)/.base ## Create .venv and install the locked dependencies

.PHONY: demo
demo: $(VENV)/.base ## Migrate the database and load the demo data
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_demo_data

.PHONY: run
run: demo ## Install, migrate, load demo data, start the worker and the server
	@bin/run $(PORT)

.PHONY: env
env: ## Write a .env for production settings (make serve, units, containers)
	@bin/make-env

.PHONY: serve
serve: $(VENV)/.base ## Production stack here: migrate, collectstatic, gunicorn + workers + tick
	@bin/serve

.PHONY: backup
backup: $(VENV)/.base ## Back up the database and media into var/backups/<time>/ (BACKUP_DIR)
	$(PY) manage.py backup

.PHONY: restore
restore: $(VENV)/.base ## Restore a backup: make restore FROM=var/backups/<time> (stop serving first)
	@test -n "$(FROM)" || { echo "Name the backup: make restore FROM=var/backups/<time>"; exit 2; }
	$(PY) manage.py restore "$(FROM)"

.PHONY: test
test: $(VENV)/.dev ## Run the whole test suite (PostgreSQL when DATABASE_URL is set)
	$(VENV)/bin/pytest

.PHONY: lint
lint: $(VENV)/.dev ## ruff and a check for missing migrations
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

.PHONY: format
format: $(VENV)/.dev ## Format and autofix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: bench
bench: $(VENV)/.dev ## Seed the large data set and time key pages through gunicorn
	$(PY) -m bench

.PHONY: clean
clean: ## Remove the local database, media and benchmark output (keeps .venv)
	rm -rf var/
