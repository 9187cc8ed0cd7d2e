# stylegan_edu: `make test` (what CI runs) and `make book` (the rendered book).
# Both set themselves up on a fresh clone: they create .venv and install the
# package with its extras from the package registry.
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# Offline data (the MNIST test set) for tests and notebooks; Colab downloads instead.
export STYLEGAN_EDU_DATA ?= $(abspath ../shared/data)
# TensorFlow's C++ info logs would otherwise land in compared notebook outputs.
export TF_CPP_MIN_LOG_LEVEL := 3
export PYTHONHASHSEED := 0

# Every notebook listed in _toc.yml, in book order.
NOTEBOOKS = $(wildcard $(addsuffix .ipynb,$(shell grep -oE 'book/[A-Za-z0-9_]+' _toc.yml)))
NBVAL_FLAGS = --nbval --nbval-current-env --nbval-sanitize-with tests/nbval_sanitize.cfg --nbval-cell-timeout 600

.PHONY: install test test-unit test-notebooks book check-book benchmarks clean

# uv resolves to the same versions as pip and installs them faster (a fresh .venv on a 2-core
# machine, bytecode compiled in both: about 48 s against 118 s); where uv can't be had or fails,
# pip does the same install. --compile-bytecode, as pip does: where PYTHONDONTWRITEBYTECODE is set,
# Python would otherwise compile TensorFlow's sources again in every process (import 19-22 s, not 8.5 s).
$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	@if $(PY) -m pip install -q uv && $(VENV)/bin/uv pip install -q --compile-bytecode --python $(PY) --upgrade pip -e ".[dev,book]"; then \
	  echo "installed with uv"; \
	else \
	  echo "uv failed: installing with pip"; \
	  $(PY) -m pip install -q --upgrade pip && $(PY) -m pip install -q -e ".[dev,book]"; \
	fi
	@touch $(STAMP)

install: $(STAMP)

# Unit tests, every docstring example and strict nbval over every notebook in _toc.yml
# (never --nbval-lax), in quick mode: one pytest run on two workers, so that neither core
# idles while the other finishes a phase. A worker takes a whole file (--dist loadfile):
# module-scoped fixtures are built once, a notebook runs in one kernel. Files are handed out
# in collection order, the longest first (conftest.py's LONGEST_FIRST), so that no worker is
# left alone with a long file at the end. -rs lists the reasons for skipped tests.
PYTEST_ALL = -q -rs -n 2 --dist loadfile --no-loadscope-reorder
UNIT_TESTS = tests stylegan_edu --doctest-modules
NOTEBOOK_TESTS = $(NBVAL_FLAGS) $(NOTEBOOKS)
test: $(STAMP)
	@start=$$(date +%s); status=0; \
	STYLEGAN_EDU_QUICK=1 $(PY) -m pytest $(PYTEST_ALL) $(UNIT_TESTS) $(NOTEBOOK_TESTS) || status=$$?; \
	echo "make test: $$( [ $$status -eq 0 ] && echo passed || echo FAILED ) in $$(( $$(date +%s) - start )) s"; \
	exit $$status

# The two halves of `make test` on their own.
test-unit: $(STAMP)
	STYLEGAN_EDU_QUICK=1 $(PY) -m pytest $(PYTEST_ALL) $(UNIT_TESTS)

test-notebooks: $(STAMP)
	STYLEGAN_EDU_QUICK=1 $(PY) -m pytest $(PYTEST_ALL) $(NOTEBOOK_TESTS)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --builder html -W --keep-going
	@echo "The book: $(abspath _build/html/index.html)"

# Every page of the built book in headless Chromium: math rendered, images load, local links
# resolve, chapters have their Colab link; screenshots in _build/screenshots. Skips without Chromium.
check-book: book
	$(PY) scripts/check_book_browser.py --html _build/html --screenshots _build/screenshots

clean:
	rm -rf _build build dist *.egg-info
