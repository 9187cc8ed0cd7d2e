"""Train the MNIST feature net shipped in ``stylegan_edu/assets/mnist_feature_net/``.

Reproducible (seeded, deterministic ops) and offline: it reads MNIST through
``stylegan_edu.data.load_mnist("test")``, because the *test* split (10,000
digits) is the only one available offline. It trains on 8,000 of them and
measures accuracy on the other 2,000, which training never sees
(``stylegan_edu.features.mnist_feature_split``: image i is held out when
i % 5 == 4). No held-out number is looked at during training (fixed epochs, no
early stopping), so the held-out accuracy is an honest estimate.

Augmentation: every epoch each training digit is shifted by a random whole
number of pixels in [-2, 2] along each axis (padded with background), which makes up
for the small training set.

Writes ``mnist_feature_net.weights.h5``, ``mnist_feature_net.json``
(settings, held-out accuracy, timing, machine) and ``SHA256SUMS`` (the
weights' SHA-256, checked by :func:`stylegan_edu.pretrained.mnist_feature_net`)
next to each other. Then rerun ``scripts/compute_fid_stats.py``: the MNIST-FID
statistics depend on these weights.

Usage (a few minutes on 2 CPU cores)::

    STYLEGAN_EDU_DATA=../shared/data .venv/bin/python scripts/train_mnist_feature_net.py
    .venv/bin/python scripts/train_mnist_feature_net.py --out /tmp/net   # somewhere else
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

from stylegan_edu.data import load_mnist  # noqa: E402
from stylegan_edu._io import machine_info  # noqa: E402
from stylegan_edu.features import build_mnist_feature_net, mnist_feature_split  # noqa: E402
from stylegan_edu.pretrained import write_checksums  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_OUT = ROOT / "stylegan_edu" / "assets" / "mnist_feature_net"


def shift_digits(images, rng, max_shift=2):
    """Shift each (28, 28, 1) digit by random integers in [-max_shift, max_shift] (background padding)."""
    n = len(images)
    padded = np.pad(images, ((0, 0), (max_shift, max_shift), (max_shift, max_shift), (0, 0)), constant_values=-1.0)
    dy, dx = rng.integers(0, 2 * max_shift + 1, size=(2, n))
    out = np.empty_like(images)
    for i in range(n):
        out[i] = padded[i, dy[i]:dy[i] + 28, dx[i]:dx[i] + 28]
    return out


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output folder (default: the package assets)")
    parser.add_argument("--epochs", type=int, default=20, help="training epochs (default 20)")
    parser.add_argument("--batch-size", type=int, default=64, help="batch size (default 64)")
    parser.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate, cosine-decayed to 0 (default 1e-3)")
    parser.add_argument("--seed", type=int, default=0, help="seed for weights, shuffling and augmentation (default 0)")
    parser.add_argument("--data-dir", default=None, help="folder holding mnist/ (default $STYLEGAN_EDU_DATA)")
    args = parser.parse_args(argv)

    keras.utils.set_random_seed(args.seed)
    tf.config.experimental.enable_op_determinism()
    rng = np.random.default_rng(args.seed)

    images, labels = load_mnist("test", data_dir=args.data_dir)  # (10000, 28, 28) uint8
    x = images.astype(np.float32)[..., None] / 127.5 - 1.0  # (10000, 28, 28, 1) in [-1, 1]
    y = labels.astype(np.int32)
    train_idx, held_idx = mnist_feature_split(len(x))
    x_train, y_train, x_held, y_held = x[train_idx], y[train_idx], x[held_idx], y[held_idx]
    print(f"training on {len(x_train)} digits, holding out {len(x_held)} (index % 5 == 4)")

    net = build_mnist_feature_net()
    steps = args.epochs * int(np.ceil(len(x_train) / args.batch_size))
    schedule = keras.optimizers.schedules.CosineDecay(args.lr, decay_steps=steps)
    net.compile(optimizer=keras.optimizers.Adam(schedule),
                loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
                metrics=["accuracy"])
    start = time.perf_counter()
    for epoch in range(args.epochs):
        x_aug = shift_digits(x_train, rng)
        hist = net.fit(x_aug, y_train, batch_size=args.batch_size, epochs=1, shuffle=True, verbose=0)
        print(f"epoch {epoch + 1}/{args.epochs}: loss {hist.history['loss'][-1]:.4f}, "
              f"train accuracy (augmented) {hist.history['accuracy'][-1]:.4f}", flush=True)
    seconds = time.perf_counter() - start

    logits = net.predict(x_held, batch_size=500, verbose=0)
    acc = float(np.mean(np.argmax(logits, axis=1) == y_held))
    print(f"held-out accuracy: {acc:.4f} ({int(round(acc * len(y_held)))}/{len(y_held)}); trained in {seconds:.0f} s")
    if acc < 0.98:
        print("held-out accuracy below 98%: not writing the weights", file=sys.stderr)
        return 1

    args.out.mkdir(parents=True, exist_ok=True)
    weights = args.out / "mnist_feature_net.weights.h5"
    # Save from an uncompiled copy: a compiled model's weights file also holds
    # the optimizer's state (Adam's two moments, twice the model's size).
    clean = build_mnist_feature_net()
    clean.set_weights(net.get_weights())
    clean.save_weights(weights)
    info = {
        "heldout_accuracy": round(acc, 4),
        "heldout_correct": int(round(acc * len(y_held))),
        "n_train": int(len(x_train)),
        "n_heldout": int(len(x_held)),
        "data": "MNIST test set (10,000 digits) via stylegan_edu.data.load_mnist('test')",
        "split": "image i held out when i % 5 == 4 (stylegan_edu.features.mnist_feature_split)",
        "augmentation": "random integer shifts in [-2, 2] px along each axis, redrawn every epoch",
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "optimizer": f"Adam, lr {args.lr:g} cosine-decayed to 0 over {steps} steps",
        "seed": args.seed,
        "parameters": int(net.count_params()),
        "feature_layer": "features (Dense 128, ReLU)",
        "train_seconds": round(seconds, 1),
        "machine": machine_info(),
    }
    (args.out / "mnist_feature_net.json").write_text(json.dumps(info, indent=2) + "\n")
    write_checksums(args.out)  # the weights' SHA-256, checked by pretrained.mnist_feature_net()
    print(f"wrote {weights} ({weights.stat().st_size / 1e6:.2f} MB), mnist_feature_net.json and SHA256SUMS")
    return 0


if __name__ == "__main__":
    sys.exit(main())
