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

The workers take whole files (``--dist loadfile``) in collection order
(``--no-loadscope-reorder``), one or two at a time. So that neither worker is
left alone with a long file at the end, the longest files go first
(:data:`LONGEST_FIRST`, as measured), the rest keep pytest's order.
"""

import os

import pytest

#: Test files and notebooks that take longest in `make test`, longest first (worker-seconds measured on a
#: 2-core CPU, 2026-12-03: about 100 s down to 25 s). Only the order of collection depends on it.
LONGEST_FIRST = (
    "tests/test_benchmark_scripts.py",
    "book/13_stylegan.ipynb",
    "book/09_training_loop.ipynb",
    "tests/test_backend_portability.py",
    "tests/test_clahe.py",
    "book/11_clahe_gan.ipynb",
    "tests/test_clahe_tone_grid.py",
    "tests/test_stylegan_training.py",
    "tests/test_clahe_restoration.py",
    "book/12_adain.ipynb",
    "tests/test_cli_stylegan.py",
    "book/08_training_stability.ipynb",
    "book/07_mixed_loss.ipynb",
    "book/10_style_transfer.ipynb",
    "book/03_discriminator.ipynb",
    "tests/test_resume.py",
    "tests/test_style_transfer.py",
    "book/05_style_loss.ipynb",
    "book/04_content_loss.ipynb",
    "tests/test_training.py",
    "tests/test_augment.py",
)

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


def pytest_collection_modifyitems(items):
    """The files of :data:`LONGEST_FIRST` first, in its order; a file's own items keep their order."""
    rank = {path: i for i, path in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.nodeid.split("::")[0], len(rank)))
