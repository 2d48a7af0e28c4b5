# `make check`: lint, types and the import contract; `make test`: the test suite (as CI runs it).
BIN ?= .venv/bin

.PHONY: check test

check:
	$(BIN)/ruff check socialcare_tui tests benchmarks
	$(BIN)/mypy
	$(BIN)/lint-imports

test:
	$(BIN)/python -m pytest
