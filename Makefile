# Two entry points for a fresh Linux machine with Python 3.11: `make demo` and `make test`.
# Both create ./.venv when it is missing and install the project into it.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test setup clean examples templates

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/xl-scorecard demo --out out

test: $(STAMP)
	$(BIN)/python -m pytest

# Regenerate the committed example set (deterministic; a test checks it is up to date).
examples: $(STAMP)
	$(BIN)/python -m xl_scorecard.demo.generate examples/northshire

# Rebuild the default master template (a test checks the committed one is what this makes).
templates: $(STAMP)
	$(BIN)/python -c "from xl_scorecard.render.template import build_template, DEFAULT_TEMPLATE; build_template(DEFAULT_TEMPLATE)"

clean:
	rm -rf out .pytest_cache
