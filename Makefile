# confbot: `make demo` to try it in the terminal, `make test` to check it. Both install what they need.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: install demo run test lint typecheck bench messages clean

install: $(STAMP)

# Reinstall only when the project's dependencies change.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

demo: install
	$(BIN)/confbot chat --demo

run: install
	$(BIN)/confbot run

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check bot handlers tests bench

typecheck: install
	$(BIN)/mypy

test: install
	$(BIN)/ruff check .
	$(BIN)/mypy
	$(BIN)/pytest

# Re-extract every text into bot/locales/confbot.pot and update each language's .po file;
# then translate what is new (docs/i18n.md). `make test` fails while a language lacks a text.
messages: install
	$(BIN)/python -m bot.i18n_tools update

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
