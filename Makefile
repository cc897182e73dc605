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
	bash scripts/demo.sh

test: setup  ## lint, then run every test (unit and end-to-end)
	ruff check .
	pytest

lint: setup
	ruff check .
	ruff format --check .

clean:  ## remove pipeline outputs (not the raw sources) and the local Label Studio
	-curate labelstudio down
	rm -rf data reports .labelstudio
