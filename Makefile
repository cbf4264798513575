# The two commands of a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# pyenv reads .python-version (3.12) in this folder; PYTHON may point elsewhere.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
UV := $(VENV)/bin/uv
STAMP := $(VENV)/.installed

help:
	@echo "make run    installe tout, démarre le DCC avec les données de démonstration"
	@echo "make test   installe tout et lance toute la suite de tests"
	@echo "make test-fast  la suite sans les tests navigateur, d'intégration, de la démo ni lents (boucle d'édition)"
	@echo "make lint   ruff, djlint et makemigrations --check"
	@echo "make lock   met à jour requirements/lock.txt (développement) et prod.txt (image) depuis pyproject.toml"
	@echo "make stop   arrête PostgreSQL et Redis embarqués"
	@echo "make bench  charge mixte (Locust, 20 connexions) comparée à une vue minimale"
	@echo "make backup sauvegarde la base et les documents (.data/backups/)"
	@echo "make restore BACKUP=fichier.tar  restaure une sauvegarde (application arrêtée)"

$(PY):
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info[:2] >= (3, 12) else 1)' || \
	  { echo "Python 3.12 est requis (python3 donne $$($(PYTHON) --version 2>&1)). Installez-le ou passez PYTHON=python3.12."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check uv==0.13.8

$(STAMP): $(PY) requirements/lock.txt package-lock.json
	$(UV) pip sync --quiet --python $(PY) requirements/lock.txt
	npm ci --no-audit --no-fund --silent
	@touch $(STAMP)

install: $(STAMP)

run: install
	DJANGO_SETTINGS_MODULE=dcc.settings.demo $(PY) -m dcc.launcher

# pytest-xdist: one worker per core (TEST_WORKERS=0 runs in one process), each with its own test database.
TEST_WORKERS ?= auto
XDIST := -n $(TEST_WORKERS)

test: install
	DJANGO_SETTINGS_MODULE=dcc.settings.test $(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

test-fast: install
	DJANGO_SETTINGS_MODULE=dcc.settings.test $(PY) -m pytest $(XDIST) -m "not browser and not integration and not demo and not slow" $(PYTEST_ARGS)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	DJANGO_SETTINGS_MODULE=dcc.settings.test $(PY) manage.py makemigrations --check --dry-run

format: install
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

# lock.txt: everything a development machine runs (`make install`); prod.txt: the production image's runtime only,
# pinned to the same versions (lock.txt as a constraint).
lock: $(PY)
	$(UV) pip compile pyproject.toml --extra dev --extra embedded --generate-hashes --python-version 3.12 -o requirements/lock.txt
	$(UV) pip compile pyproject.toml --generate-hashes --python-version 3.12 -c requirements/lock.txt -o requirements/prod.txt
	npm install --package-lock-only --no-audit --no-fund

stop:
	$(PY) -m dcc.embedded stop

# Load benchmark (bench/load.py): BENCH_ARGS="--url http://127.0.0.1:8000 --users 20 --duration 60".
bench: install
	DJANGO_SETTINGS_MODULE=dcc.settings.demo $(PY) bench/load.py $(BENCH_ARGS)

backup: install
	$(PY) -m dcc.backup create $(if $(BACKUP),--output $(BACKUP))

restore: install
	@test -n "$(BACKUP)" || { echo "Indiquez la sauvegarde : make restore BACKUP=.data/backups/dcc-….tar"; exit 1; }
	$(PY) -m dcc.backup restore $(BACKUP)

.PHONY: help install run test test-fast lint format lock stop bench backup restore
