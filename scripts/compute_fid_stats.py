"""Compute the MNIST-FID reference statistics shipped in the package.

Writes ``stylegan_edu/assets/mnist_fid_stats.npz``: the mean ``mu`` (128,) and
covariance ``sigma`` (128, 128) of the MNIST feature net's penultimate features
over ``load_mnist("all")``, with ``n`` (how many images), ``source`` (which
splits) and ``feature_net_sha256`` (the weights they were computed with, so a
test notices when the feature net is retrained and the statistics go stale).

Offline (``STYLEGAN_EDU_DATA`` holding only the MNIST test set) ``"all"`` is
the 10,000 test digits; with the full data set it is all 70,000.

Usage::

    STYLEGAN_EDU_DATA=../shared/data python scripts/compute_fid_stats.py
"""

import argparse
import hashlib
import importlib.resources
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def feature_net_sha256():
    """sha256 of the shipped feature-net weights file."""
    from stylegan_edu import features

    path = importlib.resources.files("stylegan_edu").joinpath(features._ASSETS, features._WEIGHTS_FILE)
    return hashlib.sha256(path.read_bytes()).hexdigest()


def compute(data_dir=None):
    from stylegan_edu.data import _SPLIT_FILES, load_mnist, to_unit_range
    from stylegan_edu.features import mnist_features
    from stylegan_edu.metrics import feature_statistics

    found = []
    for split in _SPLIT_FILES:
        try:
            found.append((split, len(load_mnist(split, data_dir=data_dir)[0])))
        except Exception:  # that split is not available here
            pass
    images, _ = load_mnist("all", data_dir=data_dir)  # (N, 28, 28) uint8
    x = to_unit_range(images)[..., None]  # (N, 28, 28, 1) in [-1, 1]
    mu, sigma = feature_statistics(mnist_features(x))  # (128,), (128, 128)
    source = "load_mnist('all'): " + " + ".join(f"{s} ({n:,} images)" for s, n in found)
    return {"mu": mu, "sigma": sigma, "n": np.int64(len(x)), "source": np.str_(source), "feature_net_sha256": np.str_(feature_net_sha256())}


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data-dir", default=None, help="folder holding mnist/ (default: $STYLEGAN_EDU_DATA, else download)")
    parser.add_argument("--out", type=Path, default=ROOT / "stylegan_edu" / "assets" / "mnist_fid_stats.npz")
    args = parser.parse_args(argv)
    stats = compute(args.data_dir)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(args.out, **stats)
    print(f"wrote {args.out}: n={int(stats['n'])}, {stats['source']}, trace(sigma)={np.trace(stats['sigma']):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
