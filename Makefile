# Two entry points for a fresh machine: `make demo` and `make test` (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(CURDIR)/$(VENV)/bin
export PATH := $(BIN):$(PATH)
# Label Studio and DVC must never phone home from this project.
export DVC_NO_ANALYTICS := 1
export GX_ANALYTICS_ENABLED := False

.PHONY: setup demo test lint clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev,server]'
	touch $@

setup: $(VENV)/.installed  ## create .venv and install MedCurate with its dev tools

demo: setup  ## run the whole pipeline on the bundled synthetic sources, with a local Label Studio
	curate init
	dvc repro                             # ingest → deid → validate → tag → dedup
	curate labelstudio up                 # local server on 127.0.0.1 (login in .env)
	curate review push                    # pre-annotated review queue
	curate review simulate                # DEMO ONLY: simulated physicians review every item
	curate review snapshot                # pin their work (review.snapshot += 1) …
	dvc repro                             # … pull, agreement, merge
	curate review adjudicate              # disagreements → adjudication project
	curate review simulate --adjudication # DEMO ONLY: the senior physician decides
	curate review snapshot
	dvc repro                             # … merge the adjudications, split train/dev/test
	curate status
	test -d releases/1.0.0 || curate release 1.0.0   # gates, then releases/1.0.0/ (never overwritten)
	curate release verify 1.0.0
	@echo "Release: releases/1.0.0 (card: releases/1.0.0/README.md). Load it with:"
	@echo "  .venv/bin/python -c \"from datasets import load_dataset; print(load_dataset('parquet', data_files={'test': 'releases/1.0.0/data/mcq_zh/test.parquet'}))\""
	@echo "Label Studio is running at $$(curate labelstudio status 2>&1 | head -1 | sed 's/: .*//')"
	@echo "log in with LABEL_STUDIO_USERNAME / LABEL_STUDIO_PASSWORD from .env; stop it with: curate labelstudio down"

test: setup  ## lint, then run every test (unit and end-to-end)
	ruff check .
	pytest

lint: setup
	ruff check .
	ruff format --check .

clean:  ## remove pipeline outputs (not the raw sources) and the local Label Studio
	-curate labelstudio down
	rm -rf data reports .labelstudio
