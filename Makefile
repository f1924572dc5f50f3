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
$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@$(PY) -c "import torch, sys; sys.exit(torch.__version__.split('+')[0] != '2.13.0')" 2>/dev/null \
	  || $(PY) -m pip install -q torch==2.13.0   # the local CPU wheel, always before anything that needs torch
	$(PY) -m pip install -q -c constraints.txt -e '.[dev]'
	@touch $(STAMP)

# What exists so far: the registry and the loaders on the embedded kit (later issues add build/train/eval).
demo: setup
	$(VENV)/bin/stilts tasks
	@for lang in en sw th ar ru zh hi; do $(VENV)/bin/stilts show xnli --kit --split test --lang $$lang --rows 1; done
	$(VENV)/bin/stilts show mnli --kit --split train --rows 2

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	@echo "no benchmarks yet"

clean-venv:
	rm -rf $(VENV)
