"""Root pytest configuration, loaded for unit tests and notebooks alike.

Notebook kernels inherit this process's environment. A non-inline
matplotlib backend there (MPLBACKEND=Agg, common on CI) would make every
``plt.show()`` display nothing, so stored figure outputs would go missing.
Kernels must use the inline backend: drop the variable before any kernel
starts. Unit tests set their own backend in tests/conftest.py, for their
process only.

`make test` runs unit tests, docstring examples and notebooks in the same two
pytest workers, so nothing a test does to os.environ may outlive it: the
fixture below puts it back after every test and docstring example.
"""

import os

import pytest

if os.environ.get("MPLBACKEND", "").lower() in {"agg", "pdf", "svg", "ps", "cairo", "template"}:
    os.environ.pop("MPLBACKEND")


@pytest.fixture(autouse=True)
def _environment_is_restored():
    """Undo whatever a test or a docstring example did to os.environ (a notebook that runs later in the same
    worker would inherit it: the `budget` example deletes STYLEGAN_EDU_QUICK, which would run it in full mode)."""
    saved = dict(os.environ)
    yield
    for key in set(os.environ) | set(saved):
        if key == "PYTEST_CURRENT_TEST":  # pytest's own, set for each phase of a test
            continue
        if key not in saved:
            del os.environ[key]
        elif os.environ.get(key) != saved[key]:
            os.environ[key] = saved[key]
