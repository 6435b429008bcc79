# softmax-notebooks: every command creates and reuses a local virtual environment
# in .venv/ (rebuilt only when pyproject.toml or requirements/constraints.txt change).
#   make lab     open the notebooks in JupyterLab
#   make test    run every test (unit, property, notebooks under strict nbval, browser)
# Choose the interpreter with PYTHON=python3.12 (any Python >= 3.10), and keep one
# venv per interpreter with VENV: make VENV=.venv-3.10 PYTHON=python3.10 test

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
CONSTRAINTS := requirements/constraints.txt
NOTEBOOKS := $(sort $(wildcard notebooks/*.ipynb)) $(sort $(wildcard notebooks/optional/*.ipynb))
# JupyterLab refuses to run as root unless told to (containers, CI).
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root,)
LAB_ARGS ?=
# pip installs into the venv; UV=/path/to/uv installs with `uv pip` instead (same
# constraints, a few times faster: .ci/run uses it for its extra Pythons).
UV ?=
INSTALL = $(if $(UV),$(UV) pip install --python $(BIN)/python,$(BIN)/python -m pip install)

.DEFAULT_GOAL := help
.PHONY: help venv lab test coretest lint format clean execute bench slides handouts lock

help: ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  make %-14s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml $(CONSTRAINTS)
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 10) else 1)' 2>/dev/null || { \
	  echo "error: '$(PYTHON)' is missing or older than Python 3.10; install Python >= 3.10 or run 'make PYTHON=/path/to/python3.x ...'" >&2; exit 1; }
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "error: '$(PYTHON) -m venv' is unavailable. On Debian/Ubuntu: sudo apt-get install python3-venv (or python3.X-venv for your version)." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(UV),,$(BIN)/python -m pip install --quiet --upgrade pip)
	$(INSTALL) --quiet -c $(CONSTRAINTS) -e '.[lab,test,instructor]'
	@touch $(STAMP)

venv: $(STAMP) ## create or update .venv/ (the other targets do it for you)

lab: $(STAMP) ## open the notebooks in JupyterLab
	$(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP) ## run every test: unit, property, lint, strict nbval, browser
	@echo "== notebooks under strict nbval with one BLAS thread (low bits differ from 2 threads)"
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q notebooks
	@echo "== the whole suite (default threads)"
	$(BIN)/python -m pytest

coretest: $(STAMP) ## the suite without the browser and slide-deck tests (CI: oldest and newest Python)
	@echo "== unit, property, lint tests and every notebook under strict nbval; no browser, no decks"
	$(BIN)/python -m pytest -m "not browser" --ignore=tests/test_slides_offline.py

lint: $(STAMP) ## ruff lint and format check, import-linter layer contracts
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP) ## apply ruff's fixes and formatting
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

execute: $(STAMP) ## re-run every notebook (optional ones too) top to bottom in a fresh kernel and save its outputs
	$(BIN)/python tools/execute_notebooks.py $(NOTEBOOKS)

bench: $(STAMP) ## benchmark naive / vectorized / fast (ARGS="--quick" for a short run)
	$(BIN)/python -m softmax.bench --json build/bench.json $(ARGS)

slides: $(STAMP) ## offline reveal.js decks in build/slides/ (needs npm)
	$(BIN)/python tools/build_slides.py

handouts: slides ## one PDF per deck in build/handouts/ (needs chromium)
	$(BIN)/python tools/build_handouts.py

.PHONY: student autograde-demo
student: $(STAMP) ## the student edition in build/student/ (nbgrader: stubs, no hidden tests)
	$(BIN)/python tools/student.py release --out build/student

autograde-demo: $(STAMP) ## nbgrader autograde of the reference and one fake student per mistake
	$(BIN)/python tools/student.py autograde-demo --out build/autograde-demo

lock: $(STAMP) ## re-resolve requirements/constraints.txt and environment.yml (ARGS=--upgrade: newest releases)
	$(BIN)/python -m pip install --quiet 'uv>=0.5'
	$(BIN)/python tools/lock.py $(ARGS)

clean: ## remove the venv, build outputs and caches
	rm -rf $(VENV) build node_modules .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
