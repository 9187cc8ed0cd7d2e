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

$(STAMP): pyproject.toml
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[dev,book]"
	@touch $(STAMP)

install: $(STAMP)

test: $(STAMP)
	@start=$$(date +%s); status=0; \
	$(MAKE) --no-print-directory test-unit || status=$$?; \
	if [ $$status -eq 0 ]; then $(MAKE) --no-print-directory test-notebooks || status=$$?; fi; \
	echo "make test: $$( [ $$status -eq 0 ] && echo passed || echo FAILED ) in $$(( $$(date +%s) - start )) s"; \
	exit $$status

# Unit tests and every docstring example, in quick mode.
test-unit: $(STAMP)
	STYLEGAN_EDU_QUICK=1 $(PY) -m pytest -q tests stylegan_edu --doctest-modules

# Every notebook in _toc.yml under strict nbval (never --nbval-lax), in quick mode.
test-notebooks: $(STAMP)
	STYLEGAN_EDU_QUICK=1 $(PY) -m pytest -q -n 2 --dist loadfile $(NBVAL_FLAGS) $(NOTEBOOKS)

book: $(STAMP)
	$(VENV)/bin/jupyter-book build . --builder html -W --keep-going
	@echo "The book: $(abspath _build/html/index.html)"

# Every page of the built book in headless Chromium: math rendered, images load, local links
# resolve, chapters have their Colab link; screenshots in _build/screenshots. Skips without Chromium.
check-book: book
	$(PY) scripts/check_book_browser.py --html _build/html --screenshots _build/screenshots

clean:
	rm -rf _build build dist *.egg-info
