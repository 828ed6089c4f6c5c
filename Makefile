# The two commands: `make run` (demo data -> ETL -> dashboard at http://localhost:8501) and `make test`.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
MCKPI  := $(VENV)/bin/mckpi
PORT   ?= 8501
# Installs are re-done only when pyproject.toml changes.
STAMP  := $(VENV)/.installed

.PHONY: run test venv etl demo lint chromium bench clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test,report,spark]'
	touch $(STAMP)

venv: $(STAMP)

demo: venv
	$(MCKPI) demo --if-empty

etl: demo
	$(MCKPI) etl

run: etl
	@echo "mckpi dashboard (demo mode) at http://localhost:$(PORT)"
	MCKPI_DEMO=1 $(VENV)/bin/streamlit run dashboard/server.py --server.port $(PORT) --server.headless true \
		--browser.gatherUsageStats false

# The browser tests drive Debian's chromium; install it when it is missing (root: apt-get, else sudo).
chromium:
	@command -v chromium >/dev/null 2>&1 || { \
		SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
		$$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends chromium; }

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports

# Two workers (the machines have two cores); a test module stays on one worker, so its browser server and
# warehouse fixtures are built once.
test: venv chromium lint
	$(PY) -m pytest -n 2 --dist loadfile

# The 100k run of both benchmarks, with pass/fail against issue 16's goals; figures also in bench/out/*-100k.json.
bench: venv
	$(PY) bench/etl.py --enrolments 100k --keep --json bench/out/etl-100k.json
	$(PY) bench/pages.py --enrolments 100k --repeat 2 --server --floor --json bench/out/pages-100k.json

clean:
	rm -rf data/landing data/warehouse data/archive test-artifacts
