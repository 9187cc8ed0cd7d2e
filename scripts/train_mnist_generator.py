"""Train the reference MNIST generator that ships in the package.

Uses the repository's own trainer (:func:`stylegan_edu.gan.train_mnist`)
with the default models and settings on ``load_mnist("all")`` (offline: the
10,000 MNIST test digits), seeded. Afterwards it measures the MNIST-FID of
10,000 generated digits (:func:`stylegan_edu.metrics.mnist_fid`) and writes

* ``stylegan_edu/assets/mnist_generator/generator.weights.h5`` (the weights),
* ``stylegan_edu/assets/mnist_generator/mnist_generator.json`` (settings,
  FID per epoch, final FID, wall time, machine),
* ``stylegan_edu/assets/mnist_generator/README.md``,
* ``stylegan_edu/assets/mnist_generator/SHA256SUMS`` (the weights' SHA-256,
  checked by :func:`stylegan_edu.pretrained.mnist_generator`).

The run keeps checkpoints in ``--work`` and can be interrupted and resumed
(``--resume``). ``--evaluate-only`` recomputes the FID of the shipped weights.

Usage::

    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_mnist_generator.py --epochs 10
"""

import argparse
import dataclasses
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
ASSET = ROOT / "stylegan_edu" / "assets" / "mnist_generator"
FID_SAMPLES = 10_000
FID_SEED = 12345


def _fid_of(generator, latent_dim):
    import numpy as np

    from stylegan_edu.metrics import mnist_fid

    z = np.random.default_rng(FID_SEED).standard_normal((FID_SAMPLES, latent_dim)).astype(np.float32)
    images = np.concatenate([np.asarray(generator(z[i : i + 500], training=False)) for i in range(0, FID_SAMPLES, 500)])
    return float(mnist_fid(images))


def _readme(info):
    fid_rows = "\n".join(f"| {h['epoch']} | {h['fid']:.2f} |" for h in info["history"] if "fid" in h)
    cfg = info["train_config"]
    return f"""# Reference MNIST generator

The generator behind `stylegan_edu.pretrained.mnist_generator()`, used by chapter 2's latent
explorer and chapter 9.

* Architecture: `make_generator(GeneratorConfig(seed={cfg['seed']}))`, the book's default DCGAN generator
  ({info['generator_params']:,} parameters), z ~ N(0, I) in R^100 -> 28x28x1 in [-1, 1].
* Trained by `scripts/train_mnist_generator.py` with the package's own trainer
  (`stylegan_edu.gan.train_mnist`) against the default discriminator:
  {cfg['epochs']} epochs, batch {cfg['batch_size']}, Adam(lr={cfg['learning_rate']}, beta_1={cfg['beta_1']}),
  schedule `{cfg['schedule']}`, seed {cfg['seed']}.
* Data: `load_mnist("all")` = {info['n_images']:,} digits ({info['data_note']}).
* Training time: {info['train_seconds'] / 60:.1f} min on {info['machine']['cpu_count']} CPU core(s) ({info['machine']['platform']}),
  TensorFlow {info['machine']['tensorflow']}, shared with other jobs (wall time, not a benchmark).
* **MNIST-FID: {info['fid']:.2f}** on {FID_SAMPLES:,} samples (`stylegan_edu.metrics.mnist_fid`, noise seed {FID_SEED}).

FID during training (1,000 samples per point, so higher than the 10,000-sample value):

| epoch | FID |
|---|---|
{fid_rows}

Regenerate (about {info['train_seconds'] / 60:.0f} minutes on a laptop CPU, seconds per epoch on a GPU):

```bash
STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_mnist_generator.py --epochs {cfg['epochs']}
```

Files: `generator.weights.h5` (Keras weights), `SHA256SUMS` (its SHA-256, checked before loading), `mnist_generator.json` (everything above, machine-readable).
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--work", default=str(ROOT / "runs" / "mnist_generator"), help="checkpoints, samples, history")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--fid-every", type=int, default=2)
    parser.add_argument("--evaluate-only", action="store_true", help="recompute the FID of the shipped weights")
    args = parser.parse_args(argv)

    from stylegan_edu._io import machine_info
    from stylegan_edu.data import load_mnist
    from stylegan_edu.gan import train_mnist
    from stylegan_edu.pretrained import write_checksums
    from stylegan_edu.training import TrainConfig

    if args.evaluate_only:
        from stylegan_edu.pretrained import mnist_generator

        info = json.loads((ASSET / "mnist_generator.json").read_text())
        info["fid"] = _fid_of(mnist_generator(), 100)
        (ASSET / "mnist_generator.json").write_text(json.dumps(info, indent=1))
        (ASSET / "README.md").write_text(_readme(info))
        print(f"MNIST-FID of the shipped generator: {info['fid']:.2f}")
        return 0

    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, mixed_precision="off")
    images, _ = load_mnist("all")
    start = time.time()
    gan = train_mnist(config, args.work, images=images, resume=args.resume, fid_every=args.fid_every, fid_num_samples=1000,
                      progress=False)
    train_seconds = time.time() - start
    fid = _fid_of(gan.generator, gan.latent_dim)
    ASSET.mkdir(parents=True, exist_ok=True)
    gan.generator.save_weights(str(ASSET / "generator.weights.h5"))
    from stylegan_edu.models import GeneratorConfig

    info = {
        "fid": fid,
        "fid_samples": FID_SAMPLES,
        "fid_noise_seed": FID_SEED,
        "train_config": dataclasses.asdict(config),
        "generator_config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(GeneratorConfig(seed=config.seed)).items()},
        "generator_params": int(gan.generator.count_params()),
        "n_images": int(len(images)),
        "data_note": "the MNIST test split; the 60,000-digit train split is not available offline"
        if len(images) == 10_000 else "MNIST train + test",
        "history": gan.state.history,
        "train_seconds": train_seconds,
        "machine": machine_info(),
    }
    write_checksums(ASSET)  # the weights' SHA-256, checked by pretrained.mnist_generator()
    (ASSET / "mnist_generator.json").write_text(json.dumps(info, indent=1))
    (ASSET / "README.md").write_text(_readme(info))
    print(f"Trained {config.epochs} epochs in {train_seconds / 60:.1f} min; MNIST-FID ({FID_SAMPLES} samples) = {fid:.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
