# One Makefile; CI calls the same targets (.ci/run -> make test).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install serve test system-deps lint typecheck unit bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip 2>&1 | grep -v '^WARNING: Location' || true
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

## Run the main job: seed the demo bank (idempotent) and serve the API, the dashboard and the
## sending worker on http://127.0.0.1:8000/ until Ctrl-C (docs/serve.md).
serve: $(STAMP)
	$(BIN)/smsguard demo && $(BIN)/smsguard serve

## Everything CI checks: the programs the tests talk to (Kannel, an SMSC, LibreOffice,
## Chromium and CJK fonts; each script does nothing when already installed), lint, types, tests.
test: system-deps lint typecheck unit

system-deps: $(STAMP)
	.ci/install-kannel
	.ci/install-smpp-peer
	.ci/install-report-tools
	.ci/install-chromium
	VENV=$(VENV) .ci/install-spark

lint: $(STAMP)
	$(BIN)/ruff check smsguard tests benchmarks scripts
	$(BIN)/ruff format --check smsguard tests benchmarks scripts

typecheck: $(STAMP)
	$(BIN)/mypy smsguard

unit: $(STAMP)
	$(BIN)/pytest -q

## Speed figures, each against a baseline in the same run (screening and model need ../shared/data).
bench: $(STAMP)
	$(BIN)/python benchmarks/bench_screening.py
	$(BIN)/python benchmarks/bench_model.py
	$(BIN)/python benchmarks/bench_fingerprints.py
	$(BIN)/python benchmarks/bench_protect.py
	$(BIN)/python benchmarks/bench_gateway.py --postgres
	$(BIN)/python benchmarks/bench_tlog.py
	$(BIN)/python benchmarks/bench_monitor.py
	$(BIN)/python benchmarks/bench_api.py
	$(BIN)/python benchmarks/load_api.py --duration 60
	$(BIN)/python benchmarks/bench_intel.py
	$(BIN)/python benchmarks/bench_intel_export.py
	VENV=$(VENV) .ci/install-spark && $(BIN)/python benchmarks/bench_spark_scan.py

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
