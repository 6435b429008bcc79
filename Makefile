# softmax-notebooks: every command creates and reuses a local virtual environment
# in .venv/ (rebuilt only when pyproject.toml or requirements/constraints.txt change).
#   make lab     open the notebooks in JupyterLab
#   make test    run every test (unit, property, notebooks under strict nbval, browser)
# Choose the interpreter with PYTHON=python3.12 (any CPython 3.10 to 3.15), and keep one
# venv per interpreter with VENV: make VENV=.venv-3.10 PYTHON=python3.10 test

PYTHON ?= python3
# The supported Pythons, 3.PY_MIN to 3.PY_MAX: pyproject.toml's requires-python ">=3.A,<3.B",
# the window tools/lock.py locks and checks (make refuses any other interpreter).
PY_WINDOW := $(shell sed -n 's/^requires-python = ">=3\.\([0-9]*\),<3\.\([0-9]*\)"$$/\1 \2/p' pyproject.toml)
PY_MIN := $(word 1,$(PY_WINDOW))
PY_MAX := $(if $(word 2,$(PY_WINDOW)),$(shell expr $(word 2,$(PY_WINDOW)) - 1))
ifeq ($(PY_MAX),)
$(error pyproject.toml: requires-python must read ">=3.A,<3.B" (the supported window))
endif
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
	@v=$$($(PYTHON) -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null); \
	case "$$v" in 3.[0-9]|3.[0-9][0-9]) minor=$${v#3.};; *) minor=;; esac; \
	if [ -z "$$minor" ] || [ "$$minor" -lt $(PY_MIN) ] || [ "$$minor" -gt $(PY_MAX) ]; then \
	  what=$${v:+Python $$v}; echo "error: '$(PYTHON)' is $${what:-missing or not a Python}; softmax-notebooks supports CPython 3.$(PY_MIN) to 3.$(PY_MAX) only: run 'make PYTHON=/path/to/python3.N ...' with one of those" >&2; exit 1; fi
	@$(PYTHON) -c 'import venv, ensurepip' 2>/dev/null || { \
	  echo "error: '$(PYTHON) -m venv' is unavailable. On Debian/Ubuntu: sudo apt-get install python3-venv (or python3.X-venv for your version)." >&2; exit 1; }
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(if $(UV),,$(BIN)/python -m pip install --quiet --upgrade pip)
	$(INSTALL) --quiet -c $(CONSTRAINTS) -e '.[lab,test,instructor]'
	@touch $(STAMP)

venv: $(STAMP) ## create or update .venv/ (the other targets do it for you)

# Students' Lab: tools/student_lab/ first on JUPYTER_CONFIG_PATH turns nbgrader's menu, Validate
# button, Create Assignment panel and Formgrader off; `make instructor-lab` keeps them.
STUDENT_LAB_CONFIG := $(CURDIR)/tools/student_lab$(if $(JUPYTER_CONFIG_PATH),:$(JUPYTER_CONFIG_PATH))

lab: $(STAMP) ## open the notebooks in JupyterLab
	JUPYTER_CONFIG_PATH="$(STUDENT_LAB_CONFIG)" $(BIN)/jupyter lab --ServerApp.root_dir=notebooks $(ALLOW_ROOT) $(LAB_ARGS)

test: $(STAMP) ## run every test: unit, property, lint, strict nbval, browser
	@echo "== notebooks under strict nbval with one BLAS thread (low bits differ from 2 threads)"
	OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 $(BIN)/python -m pytest -q notebooks
	@echo "== the whole suite (default threads)"
	$(BIN)/python -m pytest

coretest: $(STAMP) ## the suite without the browser, deck, exchange and sandbox tests (CI: oldest and newest Python)
	@echo "== unit, property, lint tests and every notebook under strict nbval; no browser, no decks, no Unix-user round trip or sandbox"
	$(BIN)/python -m pytest -m "not browser" --ignore=tests/test_slides_offline.py \
	  --ignore=tests/test_course_roundtrip.py --ignore=tests/test_sandbox.py

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

.PHONY: student autograde-demo course instructor-lab
student: $(STAMP) ## the student edition in build/student/ (nbgrader: stubs, no hidden tests)
	$(BIN)/python tools/student.py release --out build/student

autograde-demo: $(STAMP) ## nbgrader autograde of the reference and one fake student per mistake
	$(BIN)/python tools/student.py autograde-demo --out build/autograde-demo

course: $(STAMP) ## a course directory for nbgrader: make course COURSE=~/softmax-course [EXCHANGE=/srv/nbgrader/exchange]
	@test -n "$(COURSE)" || { echo "usage: make course COURSE=DIR [EXCHANGE=DIR]" >&2; exit 2; }
	$(BIN)/python tools/course.py new "$(COURSE)" $(if $(EXCHANGE),--exchange "$(EXCHANGE)")

instructor-lab: $(STAMP) ## JupyterLab with nbgrader's tools (Formgrader...), in COURSE (default: notebooks/)
	cd "$(or $(COURSE),notebooks)" && PATH="$(abspath $(BIN)):$$PATH" $(abspath $(BIN))/jupyter lab $(ALLOW_ROOT) $(LAB_ARGS)

lock: $(STAMP) ## re-resolve requirements/constraints.txt and environment.yml (ARGS=--upgrade: newest releases)
	$(BIN)/python tools/lock.py $(ARGS)

clean: ## remove the venv, build outputs and caches
	rm -rf $(VENV) build node_modules .pytest_cache .ruff_cache .hypothesis
	find . -name __pycache__ -type d -prune -exec rm -rf {} +
	find . -name .ipynb_checkpoints -type d -prune -exec rm -rf {} +
