# Quick start: `make lab` (JupyterLab on the exercises) and `make test` (the whole suite).
# Both create the environment in .venv/ first if it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.xaikit-installed
# Trained models are cached here, keyed by data hash + parameters + library versions.
export XAIKIT_CACHE_DIR ?= $(CURDIR)/.xaikit-cache
export MPLBACKEND ?= agg
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PYTEST_ARGS ?=

.PHONY: lab test venv build check-build grade-demo clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; assert sys.version_info[:2] == (3, 11), "xaikit needs Python 3.11 (found %d.%d); set PYTHON=python3.11" % sys.version_info[:2]'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e ".[test]" 2>&1 | grep -v "is ignored: it is neither" || true
	$(BIN)/python -c "import xaikit, shap, lime, xgboost, sklearn, nbval" 
	touch $(STAMP)

venv: $(STAMP)

# JupyterLab settings of the kit: recordTiming on (cell run times, the grader's timeline)
LAB_SETTINGS := $(XAIKIT_CACHE_DIR)/lab-user-settings

lab: $(STAMP)
	$(BIN)/python -m xaikit.grading.timeline "$(LAB_SETTINGS)"
	$(BIN)/jupyter lab $(ROOT_FLAG) --ServerApp.root_dir="$(CURDIR)" --LabApp.user_settings_dir="$(LAB_SETTINGS)" --YDocExtension.disable_rtc=True notebooks/START_HERE.ipynb exercises/01_shap_vs_lime.ipynb

test: $(STAMP)
	$(BIN)/python -m pytest -n 2 --dist loadfile tests --nbval-lax solutions exercises notebooks $(PYTEST_ARGS)

build: $(STAMP)
	$(BIN)/xaikit build

check-build: $(STAMP)
	$(BIN)/xaikit build --check

grade-demo: $(STAMP)
	$(BIN)/xaikit grade solutions/01_shap_vs_lime.ipynb exercises/01_shap_vs_lime.ipynb --out OUT --trust-submissions

clean:
	rm -rf $(VENV) .xaikit-cache OUT .pytest_cache
