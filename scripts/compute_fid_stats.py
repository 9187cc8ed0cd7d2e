"""Compute the FID/KID reference statistics shipped in the package, and their real-against-real floor.

One script for both data sets (``--dataset``), the same code path as
:func:`stylegan_edu.metrics.fid` and :func:`stylegan_edu.metrics.kid`:

* ``--dataset mnist`` (the default) writes ``stylegan_edu/assets/mnist_fid_stats.npz``:
  the mean ``mu`` (128,) and covariance ``sigma`` (128, 128) of the MNIST feature
  net's penultimate features over the held-out digits of
  ``stylegan_edu.data.mnist_gan_split()`` (the 2,000 MNIST test digits ``i % 5 == 4``,
  which neither the feature net nor any generator trains on), plus their
  ``features`` (float16): the KID's reference.
* ``--dataset fashion_mnist`` writes ``stylegan_edu/assets/fashion_mnist_fid_stats.npz``:
  the same over the 10,000 images of the Fashion-MNIST *test* split, which no
  generator trains on, with the Fashion-MNIST feature net, plus ``features``
  (10,000 x 128, float16): the real feature vectors that :func:`~stylegan_edu.metrics.kid`
  compares with.

Each file also holds ``n`` (how many images), ``source`` (which splits) and
``feature_net_sha256`` (the weights the statistics were computed with, so a test
notices when the feature net is retrained and the statistics go stale). The
script records the file's SHA-256 in ``stylegan_edu/assets/SHA256SUMS`` (checked by
:func:`stylegan_edu.pretrained.fid_statistics`).

For both it also measures the **floor**: FID and KID of real images against
real images (disjoint halves of the held-out images; training images, which the
statistics never saw, against the held-out statistics, five draws at each
smaller size), and writes them, with the machine and the time, to
``<dataset>_fid_stats.json`` and ``<dataset>_fid_stats.md``.

Usage::

    STYLEGAN_EDU_DATA=../shared/data python scripts/compute_fid_stats.py
    STYLEGAN_EDU_DATA=../shared/data python scripts/compute_fid_stats.py --dataset fashion_mnist
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
ASSETS = ROOT / "stylegan_edu" / "assets"
WEIGHTS = {
    "mnist": "mnist_feature_net/mnist_feature_net.weights.h5",
    "fashion_mnist": "fashion_mnist_feature_net/fashion_mnist_feature_net.weights.h5",
}
FLOOR_SEEDS = 5  # draws per floor row at 1,000 / 5,000 training images


def feature_net_sha256(dataset="mnist"):
    """SHA-256 of the shipped feature-net weights file (checked against its record first)."""
    from stylegan_edu import pretrained

    return pretrained.sha256(pretrained.asset_path(WEIGHTS[dataset]))


def _images(dataset, split, data_dir):
    """(N, 28, 28, 1) float32 images in [-1, 1] of one split, and the loader's description."""
    from stylegan_edu.data import load_fashion_mnist, load_mnist, to_unit_range

    load = load_mnist if dataset == "mnist" else load_fashion_mnist
    images, _ = load(split, data_dir=data_dir)  # (N, 28, 28) uint8
    return to_unit_range(images)[..., None]  # (N, 28, 28, 1)


def compute(data_dir=None, dataset="mnist"):
    """The statistics file's arrays (and, for Fashion-MNIST, the reference features for the KID)."""
    from stylegan_edu.features import penultimate_features
    from stylegan_edu.metrics import feature_statistics

    if dataset == "mnist":
        from stylegan_edu.data import mnist_gan_split, to_unit_range

        _, heldout, split_source = mnist_gan_split(data_dir)  # offline: the 2,000 test digits i % 5 == 4
        x = to_unit_range(heldout)[..., None]  # (M, 28, 28, 1)
        source = f"held-out digits of stylegan_edu.data.mnist_gan_split ({split_source})"
    else:
        x = _images("fashion_mnist", "test", data_dir)  # (10000, 28, 28, 1)
        source = f"load_fashion_mnist('test'): test ({len(x):,} images)"
    features = penultimate_features(x, dataset)  # (N, 128) float32
    mu, sigma = feature_statistics(features)  # (128,), (128, 128)
    stats = {"mu": mu, "sigma": sigma, "n": np.int64(len(x)), "source": np.str_(source),
             "feature_net_sha256": np.str_(feature_net_sha256(dataset))}
    stats["features"] = features.astype(np.float16)  # the KID's reference
    return stats


def floor(stats, data_dir=None, dataset="fashion_mnist", seed=0):
    """FID and KID of real images against real images: the best a generator can score at each size."""
    from stylegan_edu.features import penultimate_features
    from stylegan_edu.metrics import feature_statistics, frechet_distance, kernel_distance

    test = stats["features"].astype(np.float64)  # (M, 128): the reference, as kid() reads it
    rng = np.random.default_rng(seed)
    rows = []

    def row(what, num_samples, fids, kids):
        rows.append({"what": what, "num_samples": num_samples, "draws": len(fids),
                     "fid": round(float(np.mean(fids)), 4), "fid_std": round(float(np.std(fids)), 4),
                     "kid": round(float(np.mean(kids)), 5), "kid_std": round(float(np.std(kids)), 5)})
        print(f"floor: {what}, {num_samples} images: FID {rows[-1]['fid']:.3f} +- {rows[-1]['fid_std']:.3f}, "
              f"KID {rows[-1]['kid']:.5f} +- {rows[-1]['kid_std']:.5f}", flush=True)

    # Disjoint parts of the test split against each other.
    halves = (1000, 5000) if len(test) >= 10000 else (len(test) // 2,)
    for num_samples in halves:
        fids, kids = [], []
        for draw in range(FLOOR_SEEDS if num_samples < 5000 else 1):
            order = rng.permutation(len(test))
            a, b = test[order[:num_samples]], test[order[num_samples:2 * num_samples]]
            fids.append(frechet_distance(*feature_statistics(a), *feature_statistics(b)))
            kids.append(kernel_distance(a, b, seed=draw))
        row("held-out images against other held-out images (disjoint)", num_samples, fids, kids)

    # Training images (never in the statistics) against the shipped test statistics: what fid()/kid() give real data.
    if dataset == "mnist":
        from stylegan_edu.data import mnist_gan_split, to_unit_range

        train_images = to_unit_range(mnist_gan_split(data_dir)[0])[..., None]  # offline: the 8,000 training digits
    else:
        train_images = _images(dataset, "train", data_dir)  # (60000, 28, 28, 1)
    train = penultimate_features(train_images, dataset).astype(np.float64)  # (N, 128)
    sizes = [n for n in (1000, 2000, 5000, 10000) if n < len(train)] + ([len(train)] if len(train) < 10000 else [])
    for num_samples in sizes:
        fids, kids = [], []
        for draw in range(FLOOR_SEEDS if num_samples < min(10000, len(train)) else 1):
            sample = train[rng.choice(len(train), num_samples, replace=False)]
            fids.append(frechet_distance(*feature_statistics(sample), stats["mu"], stats["sigma"]))
            kids.append(kernel_distance(sample, test, seed=0))  # kid()'s defaults: subsets of 1,000, 100 of them, seed 0
        row("training images against the held-out statistics (as fid/kid score a generator)", num_samples, fids, kids)
    return rows


_TEXTS = {
    "fashion_mnist": dict(
        title="Fashion-MNIST", test="tests/test_fashion_mnist_metrics.py",
        where="""The Fashion-MNIST *test* split, which no generator in this book trains on;
the feature net was trained on the 60,000 training images only (`fashion_mnist_feature_net/README.md`).
So a generator trained on the training split is compared with images neither it nor the feature net has seen."""),
    "mnist": dict(
        title="MNIST", test="tests/test_metrics.py",
        where="""The 2,000 **held-out** digits of `stylegan_edu.data.mnist_gan_split()`: offline only the
10,000 MNIST test digits exist, so the feature net (`mnist_feature_net/README.md`) and every generator in
this book train on the 8,000 digits with `i % 5 != 4`, and FID/KID compare against the 2,000 with
`i % 5 == 4`, which neither has seen. With the full MNIST (Colab), generators train on the training
split; these 2,000 are then part of the unseen test split, and the statistics still apply."""),
}


def markdown(record, dataset="fashion_mnist"):
    """The statistics' README, every number read from the JSON record."""
    t = _TEXTS[dataset]
    def spread(r, key, digits):
        return f"{r[key]:.{digits}f}" + (f" ± {r[key + '_std']:.{digits}f}" if r["draws"] > 1 else "")

    rows = "\n".join(f"| {r['what']} | {r['num_samples']:,} | {r['draws']} | {spread(r, 'fid', 3)} | {spread(r, 'kid', 4)} |"
                     for r in record["floor"])
    m = record["machine"]
    return f"""# `{dataset}_fid_stats.npz`: reference statistics of the {t['title']} FID and KID

Used by `stylegan_edu.metrics.fid(images, dataset="{dataset}")`, `stylegan_edu.metrics.kid(images,
dataset="{dataset}")` and `stylegan_edu.metrics.reference_statistics("{dataset}")`, loaded by
`stylegan_edu.pretrained.{dataset}_fid_statistics()` after checking it against its SHA-256 in
`SHA256SUMS` (in this folder; `scripts/compute_fid_stats.py --dataset {dataset}` rewrites both).

| key | what |
|---|---|
| `mu` | mean (128,) of the penultimate features (`"features"` layer) of `stylegan_edu.pretrained.{dataset}_feature_net()` |
| `sigma` | their unbiased covariance (128, 128), float64 |
| `features` | the feature vectors themselves, ({record['n']:,}, 128) float16: the KID's reference |
| `n` | number of images: {record['n']:,} |
| `source` | `{record['source']}` |
| `feature_net_sha256` | SHA-256 of the feature-net weights the statistics were computed with (`{t['test']}` checks that it matches the shipped weights) |

**Where it came from.** {t['where']}

## The floor: real images against real images

FID is biased upwards for small samples: even real images do not score 0, and a generator's FID
means something only against this floor at the same number of images (and the same reference:
two samples of 1,000 are farther apart than 1,000 images from the {record['n']:,}-image statistics). KID is
unbiased: real images score about 0 at every size, negative values being estimation noise; its
scale is set by the cubic kernel on these 128-d features (images of another data set score tens).
Computed by the script ({record['floor_seeds']} random draws for the smaller rows: mean ± standard deviation over
the draws; KID with subsets of {record['kid_settings']['subset_size']:,}, {record['kid_settings']['num_subsets']} of them, as `kid()` computes it):

| real against real | images | draws | FID | KID |
|---|---|---|---|---|
{rows}

The last rows are what `fid(images, dataset="{dataset}")` and `kid(...)` give **real** training
images: the best a generator can hope for at that sample size.
Computed in {record['seconds']:.0f} s on {m.get('cpu_count', '?')} CPU cores ({m.get('platform', '?')}).

**Regenerate** (after retraining the feature net):

```bash
STYLEGAN_EDU_DATA=../shared/data python scripts/compute_fid_stats.py --dataset {dataset}
```
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--dataset", choices=("mnist", "fashion_mnist"), default="mnist",
                        help="which data set's statistics (default mnist)")
    parser.add_argument("--data-dir", default=None,
                        help="folder holding mnist/ or fashion_mnist/ (default: $STYLEGAN_EDU_DATA, else download)")
    parser.add_argument("--out", type=Path, default=None,
                        help="output .npz (default: stylegan_edu/assets/<dataset>_fid_stats.npz)")
    args = parser.parse_args(argv)
    out = args.out or ASSETS / f"{args.dataset}_fid_stats.npz"
    start = time.perf_counter()
    stats = compute(args.data_dir, args.dataset)
    out.parent.mkdir(parents=True, exist_ok=True)
    from stylegan_edu._io import atomic_write, machine_info
    from stylegan_edu.pretrained import write_checksums

    atomic_write(out, lambda f: np.savez_compressed(f, **stats))
    write_checksums(out.parent)  # its SHA-256, checked when the statistics are loaded
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB): n={int(stats['n'])}, {stats['source']}, "
          f"trace(sigma)={np.trace(stats['sigma']):.4f}", flush=True)
    if True:  # both data sets: the real-against-real floor, recorded next to the statistics
        rows = floor(stats, args.data_dir, args.dataset)
        record = {"n": int(stats["n"]), "source": str(stats["source"]), "feature_net_sha256": str(stats["feature_net_sha256"]),
                  "file_bytes": out.stat().st_size, "floor_seeds": FLOOR_SEEDS,
                  "kid_settings": {"subset_size": 1000, "num_subsets": 100, "seed": 0}, "floor": rows,
                  "seconds": round(time.perf_counter() - start, 1), "machine": machine_info()}
        stem = out.name[: -len(".npz")]
        atomic_write(out.with_name(f"{stem}.json"), json.dumps(record, indent=2) + "\n")
        atomic_write(out.with_name(f"{stem}.md"), markdown(record, args.dataset))
        print(f"wrote {stem}.json and {stem}.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())
