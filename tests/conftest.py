"""Shared fixtures. Tests never depend on quick mode or on the network."""

import os

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

# Agg for this process only: `make test` runs the notebooks in the same pytest workers, and their
# kernels inherit os.environ; MPLBACKEND=Agg there would turn off the inline figures nbval compares.
import matplotlib  # noqa: E402

matplotlib.use("Agg")

import pytest  # noqa: E402

from tests._notebooks import ROOT  # noqa: E402


@pytest.fixture(scope="session")
def shared_data():
    """The offline data folder (holds mnist/ with the MNIST test set)."""
    path = os.environ.get("STYLEGAN_EDU_DATA") or str(ROOT.parent / "shared" / "data")
    if not os.path.isdir(os.path.join(path, "mnist")):
        pytest.fail(f"offline MNIST not found under {path}; set STYLEGAN_EDU_DATA (make test does)")
    return path


@pytest.fixture(scope="session")
def mnist_test(shared_data):
    """(images uint8 (10000, 28, 28), labels uint8 (10000,)) from the offline IDX files."""
    from stylegan_edu.data import load_mnist

    return load_mnist("test", data_dir=shared_data)
