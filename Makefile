# Two entry points for a fresh Linux machine with Python 3.11: `make demo` and `make test`.
# Both create ./.venv when it is missing and install the project into it (editable, with the
# test and engineering tools). The other targets are the gates CI runs (.ci/run).
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
SOURCES := xl_scorecard tests benchmarks docs .ci

.PHONY: demo test setup lint format typecheck dist install-check test-lowest clean examples templates faults

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "$(PYTHON) not found: install Python 3.11 or run 'make PYTHON=python3 ...'"; exit 2; }
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test,dev]"
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/xl-scorecard demo --out out

# The whole suite, with line coverage of the package printed at the end.
test: $(STAMP)
	$(BIN)/python -m pytest --cov=xl_scorecard --cov-report=term:skip-covered

# Kill the refresh at 50 random moments and check nothing is lost, left or leaked (tests/fault_script.py;
# the suite runs 10). About 5 s a kill.
faults: $(STAMP)
	$(BIN)/python tests/fault_script.py --kills 50

lint: $(STAMP)
	$(BIN)/ruff check $(SOURCES)
	$(BIN)/ruff format --check $(SOURCES)

# Apply the formatter and the linter's safe fixes.
format: $(STAMP)
	$(BIN)/ruff format $(SOURCES)
	$(BIN)/ruff check --fix $(SOURCES)

typecheck: $(STAMP)
	$(BIN)/mypy

# The sdist and wheel a council PC installs from.
dist: $(STAMP)
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

# Install the wheel into a fresh virtual environment outside the repository and run the product there.
install-check: dist
	$(BIN)/python .ci/install_check.py dist $(INSTALL_CHECK_FLAGS)

# The test suite once more, with every dependency at the lowest version pyproject.toml allows.
test-lowest: $(STAMP)
	rm -rf .venv-lowest
	$(PYTHON) -m venv .venv-lowest
	$(BIN)/python .ci/lowest_constraints.py > .venv-lowest/constraints.txt
	.venv-lowest/bin/python -m pip install --quiet --upgrade pip
	.venv-lowest/bin/python -m pip install --quiet -c .venv-lowest/constraints.txt -e ".[test]"
	.venv-lowest/bin/python -m pip list --format=freeze | grep -i -E "^(pandas|numpy|python-calamine|xlsxwriter|openpyxl|holidays|pydantic|pyopenvba)=="
	.venv-lowest/bin/python -m pytest -q -p no:cacheprovider -m "not libreoffice and not chromium"

# Regenerate the committed example set (deterministic; a test checks it is up to date).
examples: $(STAMP)
	$(BIN)/python -m xl_scorecard.demo.generate examples/northshire

# Rebuild the default master template (a test checks the committed one is what this makes).
templates: $(STAMP)
	$(BIN)/python -c "from xl_scorecard.render.template import build_template, DEFAULT_TEMPLATE; build_template(DEFAULT_TEMPLATE)"

clean:
	rm -rf out dist build .pytest_cache .venv-lowest
