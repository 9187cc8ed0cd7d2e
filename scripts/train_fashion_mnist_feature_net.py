"""Train the Fashion-MNIST feature net shipped in ``stylegan_edu/assets/fashion_mnist_feature_net/``.

The FID/KID network of chapters 12 and 13: ``build_feature_net("fashion_mnist")``
(the MNIST feature net's architecture with BatchNorm after each convolution,
:data:`stylegan_edu.features.FEATURE_NETS`), trained on the 60,000 images of
the Fashion-MNIST *training* split (``stylegan_edu.data.load_fashion_mnist("train")``)
and measured on the 10,000 of the *test* split, which training never sees.
No test number steers training (fixed epochs, no early stopping), so the test
accuracy is an honest estimate; it must reach 90 % or nothing is written.

Reproducible: seed 0 for the weights, the shuffling and the augmentation,
TensorFlow's deterministic ops. Augmentation (every epoch): each image is
flipped left-right with probability 1/2 (clothes are roughly symmetric);
``--max-shift`` also shifts it by a random whole number of pixels along each
axis (``scripts/train_mnist_feature_net.py``'s ``shift_digits``; off by default:
in a few epochs on 60,000 images it costs more accuracy than it adds).

Writes, next to each other: ``fashion_mnist_feature_net.weights.h5``,
``fashion_mnist_feature_net.json`` (settings, per-epoch losses, test accuracy
overall and per class, training time, machine), ``README.md`` (generated from
that JSON) and ``SHA256SUMS`` (the weights' SHA-256, checked by
:func:`stylegan_edu.pretrained.fashion_mnist_feature_net`). Then rerun
``scripts/compute_fid_stats.py --dataset fashion_mnist``: the reference
statistics depend on these weights.

Usage (about 5 minutes on 2 busy CPU cores)::

    STYLEGAN_EDU_DATA=../shared/data .venv/bin/python scripts/train_fashion_mnist_feature_net.py
    .venv/bin/python scripts/train_fashion_mnist_feature_net.py --out /tmp/net   # somewhere else
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from train_mnist_feature_net import shift_digits  # noqa: E402  (the same augmentation as MNIST's)

from stylegan_edu._io import atomic_write, machine_info  # noqa: E402
from stylegan_edu.data import FASHION_MNIST_CLASSES, load_fashion_mnist, to_unit_range  # noqa: E402
from stylegan_edu.features import FEATURE_NETS, build_feature_net  # noqa: E402
from stylegan_edu.pretrained import write_checksums  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "stylegan_edu" / "assets" / "fashion_mnist_feature_net"
NAME = "fashion_mnist_feature_net"
MIN_ACCURACY = 0.90  # the bar on the test split


def augment(images, rng, max_shift=0):
    """Flip each (28, 28, 1) image left-right with probability 1/2, then shift it by up to ``max_shift`` px."""
    flip = rng.random(len(images)) < 0.5  # (N,)
    out = np.where(flip[:, None, None, None], images[:, :, ::-1], images)  # (N, 28, 28, 1)
    return shift_digits(out, rng, max_shift=max_shift) if max_shift else out


def readme(info):
    """The asset's README, every number read from its JSON record."""
    per_class = "\n".join(f"| {name} | {100 * acc:.1f} % |" for name, acc in info["test_accuracy_per_class"].items())
    epochs = "\n".join(f"| {h['epoch']} | {h['loss']:.4f} | {100 * h['accuracy']:.2f} % | {h['seconds']:.0f} |" for h in info["history"])
    m = info["machine"]
    return f"""# Fashion-MNIST feature net

`{NAME}.weights.h5` ({info['weights_bytes'] / 1e6:.2f} MB) holds the weights of the small CNN built by
`stylegan_edu.features.build_feature_net("fashion_mnist")` ({info['parameters']:,} parameters):
the MNIST feature net's architecture with BatchNorm between each convolution and its ReLU.

    Conv2D 32 (3x3) -> BatchNorm -> ReLU -> MaxPool 2 -> Conv2D 64 (3x3) -> BatchNorm -> ReLU -> MaxPool 2
    -> Flatten (1600) -> Dropout 0.3 -> Dense 128 ReLU "features" -> Dropout 0.3 -> Dense 10 (logits)

Input: images of shape (28, 28, 1) scaled to [-1, 1] (`stylegan_edu.data.to_unit_range`, the GAN
generators' range). `stylegan_edu.pretrained.fashion_mnist_feature_net()` loads it offline, after
checking it against the SHA-256 in `SHA256SUMS`. Its 128-d penultimate `"features"` are the feature
space of the Fashion-MNIST FID and KID (`stylegan_edu.metrics.fid(images, dataset="fashion_mnist")`,
`stylegan_edu.metrics.kid(...)`), whose reference statistics are `../fashion_mnist_fid_stats.npz`.

## How it was trained

    STYLEGAN_EDU_DATA=../shared/data .venv/bin/python scripts/train_fashion_mnist_feature_net.py

- **Data**: {info['data']}.
- **Held out**: {info['test_data']}. Training never sees them, and no test number steers
  training (fixed epochs, no early stopping). The FID/KID reference statistics are computed on
  the same test split, which no generator in this book trains on.
- **Recipe**: {info['epochs']} epochs, batch {info['batch_size']}, {info['optimizer']}; augmentation:
  {info['augmentation']}. Seed {info['seed']}, TensorFlow deterministic ops.
- **Time**: {info['train_seconds']:.0f} s ({info['train_seconds'] / 60:.1f} min) on {m.get('cpu_count', '?')} shared CPU cores
  ({m.get('platform', '?')}, TensorFlow {m.get('tensorflow', '?')}, Keras {m.get('keras', '?')}); an epoch took
  {min(h['seconds'] for h in info['history']):.0f} to {max(h['seconds'] for h in info['history']):.0f} s, depending on what else
  the cores were running (the fastest epochs give {len(info['history']) * min(h['seconds'] for h in info['history']) / 60:.0f} min for the whole run).

| epoch | loss | train accuracy (augmented) | seconds |
|---|---|---|---|
{epochs}

## Accuracy on the test split

**{100 * info['test_accuracy']:.2f} %** ({info['test_correct']:,} / {info['n_test']:,}).

| class | accuracy |
|---|---|
{per_class}

`{NAME}.json` records the same numbers, the settings and the machine (`SHA256SUMS`, the weights'
SHA-256); `tests/test_fashion_mnist_metrics.py` re-measures the accuracy offline and checks that it
is at least 90 % and equal to the recorded one.
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: the package assets)")
    parser.add_argument("--epochs", type=int, default=10, help="training epochs (default 10)")
    parser.add_argument("--batch-size", type=int, default=128, help="batch size (default 128)")
    parser.add_argument("--learning-rate", type=float, default=2e-3, help="Adam learning rate, cosine-decayed to 0 (default 2e-3)")
    parser.add_argument("--max-shift", type=int, default=0, help="random shifts in [-max_shift, max_shift] px (default 0: none)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, shuffling and augmentation (default 0)")
    parser.add_argument("--data-dir", default=None, help="folder holding fashion_mnist/ (default $STYLEGAN_EDU_DATA)")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(args.seed)

    train_images, y_train = load_fashion_mnist("train", data_dir=args.data_dir)  # (60000, 28, 28) uint8
    test_images, y_test = load_fashion_mnist("test", data_dir=args.data_dir)  # (10000, 28, 28) uint8
    x_train = to_unit_range(train_images)[..., None].astype(np.float32)  # (60000, 28, 28, 1) in [-1, 1]
    x_test = to_unit_range(test_images)[..., None].astype(np.float32)  # (10000, 28, 28, 1)
    y_train, y_test = y_train.astype(np.int32), y_test.astype(np.int32)
    print(f"training on {len(x_train):,} Fashion-MNIST training images, testing on {len(x_test):,} test images", flush=True)

    net = build_feature_net("fashion_mnist")
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.learning_rate, decay_steps=steps)
    net.compile(optimizer=keras.optimizers.Adam(schedule),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    history = []
    start = time.perf_counter()
    for epoch in range(args.epochs):
        t0 = time.perf_counter()
        x_aug = augment(x_train, rng, max_shift=args.max_shift)
        hist = net.fit(x_aug, y_train, batch_size=args.batch_size, epochs=1, shuffle=True, verbose=0)
        history.append({"epoch": epoch + 1, "loss": round(float(hist.history["loss"][-1]), 4),
                        "accuracy": round(float(hist.history["accuracy"][-1]), 4),
                        "seconds": round(time.perf_counter() - t0, 1)})
        print(f"epoch {epoch + 1}/{args.epochs}: loss {history[-1]['loss']:.4f}, train accuracy (augmented) "
              f"{history[-1]['accuracy']:.4f}, {history[-1]['seconds']:.0f} s", flush=True)
    seconds = time.perf_counter() - start

    pred = np.argmax(net.predict(x_test, batch_size=1000, verbose=0), axis=1)  # (10000,)
    correct = pred == y_test
    acc = float(correct.mean())
    print(f"test accuracy: {acc:.4f} ({int(correct.sum())}/{len(y_test)}); trained in {seconds:.0f} s", flush=True)
    if acc < MIN_ACCURACY:
        print(f"test accuracy below {MIN_ACCURACY:.0%}: not writing the weights", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / f"{NAME}.weights.h5"
    # Save from an uncompiled copy: a compiled model's weights file also holds the optimizer's state.
    clean = build_feature_net("fashion_mnist")
    clean.set_weights(net.get_weights())
    clean.save_weights(weights)
    cfg = FEATURE_NETS["fashion_mnist"]
    info = {
        "test_accuracy": round(acc, 4),
        "test_correct": int(correct.sum()),
        "test_accuracy_per_class": {name: round(float(correct[y_test == k].mean()), 4)
                                    for k, name in enumerate(FASHION_MNIST_CLASSES)},
        "n_train": int(len(x_train)),
        "n_test": int(len(x_test)),
        "data": "the Fashion-MNIST training split (60,000 images) via stylegan_edu.data.load_fashion_mnist('train')",
        "test_data": "the Fashion-MNIST test split (10,000 images) via stylegan_edu.data.load_fashion_mnist('test')",
        "architecture": {"builder": "stylegan_edu.features.build_feature_net('fashion_mnist')",
                         "filters": list(cfg.filters), "batch_norm": cfg.batch_norm, "dropout": cfg.dropout,
                         "features": cfg.features},
        "augmentation": "left-right flip with probability 1/2" + (
            f", then random integer shifts in [-{args.max_shift}, {args.max_shift}] px along each axis"
            if args.max_shift else "") + ", redrawn every epoch",
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": f"Adam, learning rate {args.learning_rate:g} cosine-decayed to 0 over {steps} steps",
        "seed": args.seed,
        "parameters": int(net.count_params()),
        "feature_layer": "features (Dense 128, ReLU)",
        "history": history,
        "train_seconds": round(seconds, 1),
        "weights_bytes": weights.stat().st_size,
        "machine": machine_info(),
    }
    atomic_write(args.out / f"{NAME}.json", json.dumps(info, indent=2) + "\n")
    atomic_write(args.out / "README.md", readme(info))
    write_checksums(args.out)  # the weights' SHA-256, checked by pretrained.fashion_mnist_feature_net()
    print(f"wrote {weights} ({info['weights_bytes'] / 1e6:.2f} MB), {NAME}.json, README.md and SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
