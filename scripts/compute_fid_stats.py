"""Compute the MNIST-FID reference statistics shipped in the package.

Writes ``stylegan_edu/assets/mnist_fid_stats.npz``: the mean ``mu`` (128,) and
covariance ``sigma`` (128, 128) of the MNIST feature net's penultimate features
over ``load_mnist("all")``, with ``n`` (how many images), ``source`` (which
splits) and ``feature_net_sha256`` (the weights they were computed with, so a
test notices when the feature net is retrained and the statistics go stale),
and records its SHA-256 in ``stylegan_edu/assets/SHA256SUMS`` (checked by
:func:`stylegan_edu.pretrained.mnist_fid_statistics`).

Offline (``STYLEGAN_EDU_DATA`` holding only the MNIST test set) ``"all"`` is
the 10,000 test digits; with the full data set it is all 70,000.

Usage::

    STYLEGAN_EDU_DATA=../shared/data python scripts/compute_fid_stats.py
"""

import argparse
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def feature_net_sha256():
    """SHA-256 of the shipped feature-net weights file (checked against its record first)."""
    from stylegan_edu import pretrained

    return pretrained.sha256(pretrained.asset_path("mnist_feature_net/mnist_feature_net.weights.h5"))


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
    from stylegan_edu.pretrained import write_checksums

    write_checksums(args.out.parent)  # its SHA-256, checked when the statistics are loaded
    print(f"wrote {args.out}: n={int(stats['n'])}, {stats['source']}, trace(sigma)={np.trace(stats['sigma']):.4f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
