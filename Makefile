# Two commands do everything on a fresh machine:
#   make lab    set up (first time) and open JupyterLab on notebooks/
#   make test   set up (first time) and run every test, notebooks included
PYTHON ?= python3
VENV   ?= .venv
BIN     = $(VENV)/bin
STAMP   = $(VENV)/.installed
LAB_SETTINGS = jupyter-config/lab/settings/overrides.d/labkit-defaults.json
# IPython reads it from the environment's etc/ipython/ at each kernel start (labkit/kernel.py)
KERNEL_CONFIG = jupyter-config/ipython/ipython_kernel_config.py
KERNEL_SETUP = $(VENV)/etc/ipython/ipython_kernel_config.py
# what ruff checks and formats: everything of ours that is Python (tools/ and benchmarks/ too:
# tools/messages.py sat unformatted while `make` checked only the first three)
LINTED = labkit tests notebooks tools benchmarks

.PHONY: lab test quick lint format clean

# pytest over JOBS=2 processes by default (`make test JOBS=1`: one): every test but the `serial`
# ones over JOBS worker processes (pytest-xdist, a whole file on one worker), then the `serial`
# ones alone (they keep both cores busy on purpose); the second run's exit 5 only means that
# none was selected. Two by default since 2026-12-06: with the timing tests' bounds
# measured against the machine's pace, two full runs at load 10-32 beside one in one process
# gave no failure the one process did not (0 and 0 in the parallel phases; 1 in one process,
# a wall-clock bound since fixed), in 3459 s wall against 4175 s. $(1): the -m expression;
# $(2): more options.
# pytest rewrites each test module's asserts when it imports it and keeps the result in
# __pycache__ unless PYTHONDONTWRITEBYTECODE is set (as on the team's machine): then every run
# rewrote all of tests/ again, half of collection's CPU (16.8 -> 8.3 s). The suite lets it write.
# -p no:nbval: nbval's pytest plugin, loaded in every pytest process, imported nbformat and its
# JSON-schema validator at start (1.3 s of CPU, half of collection's); no test in tests/ runs
# through nbval (tests/test_notebooks.py executes the notebooks with nbclient, and the tests read
# notebooks as plain JSON). Here, not in pyproject's addopts, where it made
# `python -m pytest --nbval-lax notebooks/` an unknown option.
PYTEST = PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -p no:nbval
JOBS ?= 2
suite = $(if $(filter 1,$(JOBS)),$(PYTEST) $(2) -m "$(1)" tests,\
	$(PYTEST) -n $(JOBS) --dist loadfile $(2) -m "$(if $(1),$(1) and )not serial" tests; a=$$?; \
	$(PYTEST) $(2) -m "$(if $(1),$(1) and )serial" tests; b=$$?; \
	[ $$a = 0 ] && { [ $$b = 0 ] || [ $$b = 5 ]; })

# pip --quiet prints nothing while it installs (95 s of silence in a fresh clone at load 7,
# December 2026): say first what is happening, and what comes at the end
$(STAMP): pyproject.toml $(LAB_SETTINGS)
	@echo "Setting up $(VENV): labkit, JupyterLab and the test tools (the first time only; a few minutes, printing little)."
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	@# setuptools' editable install warns, through pip, that a folder named like the package
	@# in the working directory may take precedence on import (BuildBackendWarning, 12 lines in
	@# a fresh `make lab`): here that folder is the package itself; only that note is silenced
	PYTHONWARNINGS="ignore:Editable installation" $(BIN)/python -m pip install --quiet -e ".[test]"
	@# an editable install leaves out pyproject's data-files: JupyterLab's defaults for labkit
	mkdir -p $(VENV)/share/jupyter/lab/settings/overrides.d
	cp $(LAB_SETTINGS) $(VENV)/share/jupyter/lab/settings/overrides.d/
	touch $(STAMP)

# apart from the stamp: a venv made before it gets it without being made again
$(KERNEL_SETUP): $(KERNEL_CONFIG) $(STAMP)
	mkdir -p $(VENV)/etc/ipython
	cp $(KERNEL_CONFIG) $(KERNEL_SETUP)

# the URL JupyterLab prints (and opens, where it can open a browser) is lesson 00's: given as a
# file to open, only the browser JupyterLab opened itself went there, and the printed URL, the
# one a learner copies, opened the Launcher. LESSON=zh/00-start-here.ipynb: the
# Chinese lesson
LESSON ?= 00-start-here.ipynb
lab: $(STAMP) $(KERNEL_SETUP)
	$(BIN)/jupyter lab --ServerApp.ip=127.0.0.1 $(if $(filter 0,$(shell id -u)),--allow-root,) --ServerApp.root_dir=notebooks --LabApp.default_url=/lab/tree/$(LESSON)

test: $(STAMP) $(KERNEL_SETUP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy --strict labkit
	@# --no-loadscope-reorder (JOBS=2): files go to the workers in collection order, not largest
	@# count first, so the two browser modules (test_browser.py, test_browser_zh.py: a third of
	@# the suite's time) start among the first files, one on each worker, instead of late and alone
	$(call suite,,--no-loadscope-reorder)   # notebooks included: tests/test_notebooks.py runs each one

# the edit loop: lint, types and every test but the browser ones, the notebook runs, the
# slow ones and the serial ones (pyproject's markers say which), in one pytest run over three
# worker processes (`make quick JOBS=1`: one process; JOBS=2: two): under 3 min on 2 quiet
# cores; see README's Developing. Three on two cores: a quick test that waits (a timeout, a
# judge's child, a real command) leaves its core to another worker's test. The serial tests
# (both cores kept busy on purpose, or real hubs and gateways held to times) would need a
# second pytest run alone after the others, a second collection of the whole suite for five
# tests: `make test` runs them. Measured in CPU time per test (the machine was never quiet;
# README's Developing says how): about 185 s quiet at 31d401a (two workers, then the serial
# ones), about 140 s after (three workers; JOBS=2: about 150 s); timed quiet at 54d07d2: 99 s
# wall. --durations=5 names the five slowest tests at the end: a new test that waits belongs
# in `slow`.
quick: JOBS = 3
quick: $(STAMP) $(KERNEL_SETUP)
	$(BIN)/ruff check $(LINTED)
	$(BIN)/ruff format --check $(LINTED)
	$(BIN)/mypy --strict labkit
	$(PYTEST) $(if $(filter 1,$(JOBS)),,-n $(JOBS) --dist loadfile) -q --durations=5 \
		-m "not browser and not slow and not serial" tests

lint: $(STAMP)
	$(BIN)/ruff check $(LINTED)

format: $(STAMP)
	$(BIN)/ruff format $(LINTED)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
