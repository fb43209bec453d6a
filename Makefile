# Everything installs itself into a project-local .venv from uv.lock.
# uv is used when it is on PATH; otherwise pip bootstraps it into .venv.
# `make install-pip` is the plain-pip path (no uv at all), from requirements.lock.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
UV_VERSION := 0.13.9
export UV_PYTHON_DOWNLOADS := never
# Compiled bytecode at install time: `compete` starts fast even where Python may not write .pyc files.
export UV_COMPILE_BYTECODE := 1
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install install-pip demo test test-fast lint typecheck bench lock clean

install: $(STAMP)

$(STAMP): pyproject.toml uv.lock
	@set -e; \
	if command -v uv >/dev/null 2>&1; then uv=uv; \
	else \
	  [ -x $(BIN)/uv ] || { $(PYTHON) -m venv $(VENV) && $(BIN)/python -m pip install --quiet "uv==$(UV_VERSION)"; }; \
	  uv=$(BIN)/uv; \
	fi; \
	$$uv sync --frozen --python $(PYTHON)
	@touch $(STAMP)

install-pip:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet -r requirements.lock
	$(BIN)/python -m pip install --quiet --no-deps -e .
	$(BIN)/python -m compileall -q $(VENV)/lib >/dev/null || true
	@touch $(STAMP)

demo: $(STAMP)
	@bash scripts/demo.sh

test: $(STAMP) lint typecheck
	$(BIN)/python -m pytest -q $(PYTEST_ARGS)

test-fast: $(STAMP)
	$(BIN)/python -m pytest -q -m "not slow" -n auto $(PYTEST_ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

bench: $(STAMP)
	$(BIN)/python -m benchmarks $(BENCH_ARGS)

lock:
	uv lock --python $(PYTHON)
	uv export --quiet --frozen --no-emit-project --no-hashes --all-groups -o requirements.lock

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache .mypy_cache
