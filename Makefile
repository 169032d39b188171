# The two README commands (`make run`, `make test`) and the docs build.
# Each target creates or reuses the virtual environment in $(VENV) and installs pinned dependencies.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.ddrl-installed
GAME ?= bigfish
PRESET ?= quick
export MPLBACKEND := Agg

.PHONY: venv run test test-slow docs docs-check lab readme clean-nbs bench

$(STAMP): pyproject.toml constraints.txt
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c constraints.txt -e ".[dev]"
	$(BIN)/python -m ipykernel install --sys-prefix --name ddrl --display-name "ddrl" >/dev/null
	@touch $(STAMP)

venv: $(STAMP)  ## create or update the virtual environment

run: $(STAMP)  ## the main job
	$(BIN)/ddrl run --env $(GAME) --preset $(PRESET)

test: $(STAMP)  ## every notebook as a test (the cells nbdev-test runs; executed copies kept for the site), then pytest
	$(BIN)/python tools/build_docs.py --test-notebooks --workers 2
	$(BIN)/python -m pytest -q --durations=12 tests

test-slow: $(STAMP)  ## also the cells tagged `#| slow` and the slow pytest tests
	$(BIN)/nbdev-test --n-workers 1 --flags slow
	$(BIN)/python -m pytest -q -m slow tests

docs: $(STAMP)  ## the documentation site in site/ (and README.md from nbs/index.ipynb); notebooks executed, cached
	$(BIN)/python tools/build_docs.py

docs-check: docs  ## crawl site/ and, with chromium + chromium-driver installed, screenshot pages into site-check/
	$(BIN)/python tools/site_check.py site --screenshots site-check

lab: $(STAMP)  ## JupyterLab on the notebooks with the project's kernel (`ddrl`)
	$(BIN)/jupyter lab --ServerApp.root_dir=nbs --MappingKernelManager.default_kernel_name=ddrl \
		$(if $(filter 0,$(shell id -u)),--allow-root) $(LAB_ARGS)

readme: $(STAMP)
	$(BIN)/python tools/build_docs.py --readme-only

bench: $(STAMP)  ## the speed benchmarks (ratios), written to benchmarks/results/
	mkdir -p benchmarks/results
	for b in ppo_speed bc_eval_speed distill_speed scale pipeline_speed; do $(BIN)/python benchmarks/$$b.py | tee benchmarks/results/$$b.txt; done

clean-nbs: $(STAMP)  ## export the package and strip notebook noise (run before committing)
	$(BIN)/nbdev-export && $(BIN)/nbdev-clean
