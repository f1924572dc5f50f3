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

demo: setup
	$(VENV)/bin/stilts tasks --kit
	$(VENV)/bin/stilts show xnli --kit --split test --lang sw --rows 3

test: setup
	$(PY) -m pytest -q

bench: setup
	@echo "no benchmarks yet"

clean-venv:
	rm -rf $(VENV)
