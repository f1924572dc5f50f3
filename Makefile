# Two commands a new user needs: `make demo` and `make test`. Both run `make setup` first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.setup-done
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test bench clean-venv

setup: $(STAMP)

# Idempotent: the stamp depends on the files that define the environment, so a second run is a no-op
# and an edit of pyproject.toml / constraints.txt refreshes the venv in place.
$(STAMP): pyproject.toml constraints.txt scripts/install_system_data.sh advmine/nltk_data.py
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
	  || $(PY) -m pip install -q torch==2.13.0   # the local CPU wheel, always before anything that needs torch
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@bash scripts/install_system_data.sh
	@$(PY) -m advmine.nltk_data
	@touch $(STAMP)

# What exists so far: the task registry and loaders, the multilingual adversarial build, and three-phase
# training on the embedded kit (later milestones add zero-shot evaluation and the comparison grid).
DEMO_OUT ?= out/demo
demo: setup
	$(VENV)/bin/stilts tasks
	$(VENV)/bin/stilts show xnli --kit --split test --lang th --rows 2
	$(VENV)/bin/advmine build --task mnli --langs sw,th,ar --kit --perturb codeswitch \
	    --select knn-disagreement --budget 0.3 --out $(DEMO_OUT)/mnli-adv-sw-th-ar
	$(VENV)/bin/advmine inspect $(DEMO_OUT)/mnli-adv-sw-th-ar --rows 1
	$(VENV)/bin/stilts train --intermediate mnli+$(DEMO_OUT)/mnli-adv-sw-th-ar --target xnli --kit \
	    --out $(DEMO_OUT)/run-mnli-adv-xnli

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) bench/bench_translate.py
	$(PY) bench/bench_select.py
	$(PY) bench/bench_train.py

clean-venv:
	rm -rf $(VENV)
