# confbot: `make demo` to try it in the terminal, `make test` to check it. Both install what they need.
#
# Dependencies are locked in uv.lock (every package, with hashes, for every Python >= 3.11).
# `make install` syncs .venv to exactly that; `make lock` upgrades the lock (then commit it).
# uv itself is bootstrapped from PyPI with pip into .tools/, so a machine needs only Python.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
TOOLS := .tools
UV_VERSION := 0.13.8
UV := $(TOOLS)/bin/uv
STAMP := $(VENV)/.installed

# uv: use $(PYTHON), never download an interpreter; copy from its cache (it may sit on
# another file system); keep the venv in .venv.
export UV_PYTHON := $(PYTHON)
export UV_PYTHON_DOWNLOADS := never
export UV_LINK_MODE := copy
export UV_PROJECT_ENVIRONMENT := $(VENV)

.PHONY: install lock hooks demo run test lint typecheck bench messages clean

install: $(STAMP)

$(UV):
	$(PYTHON) -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet "uv==$(UV_VERSION)"

# Re-sync only when the lock (or the project's metadata) changed: a no-op `make install` is
# one stat. --locked: install what the lock says, and fail if it no longer matches pyproject.
$(STAMP): pyproject.toml uv.lock | $(UV)
	$(UV) sync --locked --extra dev --quiet
	@touch $(STAMP)

# Upgrade every dependency within pyproject.toml's ranges; review and commit uv.lock.
lock: | $(UV)
	$(UV) lock --upgrade

# Run ruff and mypy before each commit (.pre-commit-config.yaml).
hooks: install
	$(BIN)/pre-commit install

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
	$(BIN)/ruff format --check bot handlers tests bench
	$(BIN)/mypy
	$(BIN)/pytest

# Re-extract every text into bot/locales/confbot.pot and update each language's .po file;
# then translate what is new (docs/i18n.md). `make test` fails while a language lacks a text.
messages: install
	$(BIN)/python -m bot.i18n_tools update

bench: install
	$(BIN)/python -m bench

clean:
	rm -rf $(VENV) $(TOOLS) .pytest_cache .mypy_cache .ruff_cache
