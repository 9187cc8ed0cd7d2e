"""Train the book's DCGAN on MNIST for the package, within a time budget (``pretrained.mnist_dcgan_generator``).

It was the reference MNIST generator until the style-based one
(``scripts/train_stylegan.py --dataset mnist``) replaced it: this recipe stays at
MNIST-FID 11 and a 71% legible rate after an hour (``benchmarks/mnist_generator_trials.md``).

Uses the repository's own trainer (:func:`stylegan_edu.gan.train_mnist`) with
the book's default DCGAN generator and discriminator and

* ``ema_decay=0.999`` (:class:`stylegan_edu.training.TrainConfig`): the
  shipped weights are the exponential moving average of the generator's weights;
* a time budget (:class:`stylegan_edu.callbacks.TimeBudget`): training stops
  after the step that uses up ``--minutes``.

``--augment`` switches on DiffAugment for the discriminator's inputs
(:mod:`stylegan_edu.augment`); the shipped run does not use it, because in short
trials it slowed this discriminator (which already has dropout) down
(``benchmarks/mnist_generator_trials.md``).

It trains on the training digits of :func:`stylegan_edu.data.mnist_gan_split`
(offline: the 8,000 MNIST test digits with ``i % 5 != 4``), seeded, and then
measures 10,000 samples of the EMA generator (noise seed 12345) against the
2,000 held-out digits with :func:`stylegan_edu.metrics.sample_quality`: FID,
KID, the legible rate (feature-net confidence >= 0.9), class shares; the held-out
digits themselves are measured the same way for comparison. It writes

* ``stylegan_edu/assets/mnist_dcgan_generator/generator.weights.h5`` (the EMA weights),
* ``stylegan_edu/assets/mnist_dcgan_generator/mnist_dcgan_generator.json`` (settings,
  history, metrics, wall time, machine),
* ``stylegan_edu/assets/mnist_dcgan_generator/README.md``,
* ``stylegan_edu/assets/mnist_dcgan_generator/progress/epoch_NNNN.png`` (sample
  grids during training, at most ``--frames`` of them: chapter 9's animation),
* ``stylegan_edu/assets/mnist_dcgan_generator/SHA256SUMS`` (checked by
  :func:`stylegan_edu.pretrained.mnist_dcgan_generator`).

The run keeps checkpoints in ``--work`` and can be interrupted and resumed
(``--resume``, which also resumes the time budget). ``--evaluate-only``
re-measures the shipped weights.

Usage::

    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_mnist_dcgan.py --minutes 55
"""

import argparse
import dataclasses
import json
import os
import sys
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

ROOT = Path(__file__).resolve().parents[1]
ASSET = ROOT / "stylegan_edu" / "assets" / "mnist_dcgan_generator"
EVAL_SAMPLES = 10_000
EVAL_SEED = 12345


def evaluate(generator, num_samples=EVAL_SAMPLES, seed=EVAL_SEED):
    """FID, KID, legible rate and class shares of ``num_samples`` samples against the held-out digits."""
    import numpy as np

    from stylegan_edu.metrics import sample_quality

    z = np.random.default_rng(seed).standard_normal((num_samples, generator.input_shape[-1])).astype(np.float32)
    images = np.concatenate([np.asarray(generator(z[i:i + 500], training=False)) for i in range(0, num_samples, 500)])
    return {**sample_quality(images, dataset="mnist"), "noise_seed": int(seed)}


def evaluate_real(heldout):
    """The same numbers for the real held-out digits (their FID/KID against their own statistics is 0 by construction)."""
    from stylegan_edu.data import to_unit_range
    from stylegan_edu.metrics import sample_quality

    q = sample_quality(to_unit_range(heldout)[..., None], dataset="mnist")
    return {k: q[k] for k in ("num_samples", "mean_confidence", "legible_rate", "class_shares")}


def _readme(info):
    m, real, cfg = info["metrics"], info["heldout_metrics"], info["train_config"]
    shares = ", ".join(f"{k}: {100 * v:.1f}%" for k, v in m["class_shares"].items())
    real_shares = [100 * v for v in real["class_shares"].values()]
    rows = "\n".join(f"| {h['epoch']} | {h['fid']:.2f} |" for h in info["history"] if "fid" in h)
    return f"""# The book's DCGAN, trained on MNIST

The generator behind `stylegan_edu.pretrained.mnist_dcgan_generator()`, used by chapter 2's latent
explorer and chapter 9. It was the reference MNIST generator until the style-based one
(`pretrained.mnist_generator()`, `../mnist_generator/README.md`) replaced it.

* Architecture: `make_generator(GeneratorConfig(seed={cfg['seed']}))`, the book's default DCGAN generator
  ({info['generator_params']:,} parameters), z ~ N(0, I) in R^100 -> 28x28x1 in [-1, 1]. The shipped weights are the
  **exponential moving average** (decay {cfg['ema_decay']}) of the generator's weights.
* Trained by `scripts/train_mnist_dcgan.py` with the package's own trainer
  (`stylegan_edu.gan.train_mnist`) against the default discriminator: batch {cfg['batch_size']},
  Adam(lr={cfg['learning_rate']}, beta_1={cfg['beta_1']}), schedule `{cfg['schedule']}`, DiffAugment
  `{cfg['augment'] or 'off'}` (see `benchmarks/mnist_generator_trials.md`), seed {cfg['seed']}.
* Data: {info['data_source']}.
* {info['steps']:,} steps ({info['epochs_done']} epochs) in {info['train_seconds'] / 60:.1f} min (budget {info['budget_minutes']:g} min)
  on {info['machine']['cpu_count']} CPU core(s) ({info['machine']['platform']}), GPUs: {info['machine'].get('gpus') or 'none'},
  shared with other jobs (wall time, not a benchmark).{(chr(10) + '* ' + info['note']) if info.get('note') else ''}

## Quality, on {m['num_samples']:,} samples (noise seed {m['noise_seed']}) against the {real['num_samples']:,} held-out digits

| | generated | real held-out digits |
|---|---|---|
| MNIST-FID | **{m['fid']:.2f}** | floor: 8,000 real training digits score 1.18 (`../mnist_fid_stats.md`) |
| KID | {m['kid']:.4f} | |
| legible rate (feature-net confidence >= 0.9) | **{100 * m['legible_rate']:.1f}%** | {100 * real['legible_rate']:.1f}% |
| mean confidence | {m['mean_confidence']:.3f} | {real['mean_confidence']:.3f} |
| class shares | {100 * min(m['class_shares'].values()):.1f}% to {100 * max(m['class_shares'].values()):.1f}% | {min(real_shares):.1f}% to {max(real_shares):.1f}% |

Class shares of the samples: {shares}.

FID during training (EMA generator, {info['fid_samples_during_training']:,} samples per point, so higher than the 10,000-sample value):

| epoch | FID |
|---|---|
{rows}

Regenerate:

```bash
STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_mnist_dcgan.py --minutes {info['budget_minutes']:g}
```

Files: `generator.weights.h5` (Keras weights of the EMA generator), `SHA256SUMS` (its SHA-256, checked before loading),
`mnist_dcgan_generator.json` (everything above, machine-readable), `progress/epoch_NNNN.png` (samples of a fixed noise batch
during training: `stylegan_edu.pretrained.mnist_dcgan_generator_progress()`).
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=55.0, help="training time budget (default 55)")
    parser.add_argument("--epochs", type=int, default=1000, help="at most this many epochs (default 1000)")
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--ema-decay", type=float, default=0.999)
    parser.add_argument("--augment", default="", help="DiffAugment policy, e.g. translation,cutout (default: none)")
    parser.add_argument("--r1-weight", type=float, default=0.0)
    parser.add_argument("--fid-every", type=int, default=5, help="1,000-sample FID every K epochs (0: never)")
    parser.add_argument("--frames", type=int, default=24, help="how many progress grids to ship")
    parser.add_argument("--work", default=str(ROOT / "runs" / "mnist_generator"), help="checkpoints, samples, history")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--note", default="", help="a sentence about this run for the README (e.g. how it was resumed)")
    parser.add_argument("--no-ship", action="store_true", help="do not write the asset (trials)")
    parser.add_argument("--evaluate-only", action="store_true", help="re-measure the shipped weights")
    args = parser.parse_args(argv)

    from stylegan_edu._io import machine_info
    from stylegan_edu.data import mnist_gan_split
    from stylegan_edu.pretrained import write_checksums, write_progress_frames

    train, heldout, source = mnist_gan_split()
    if args.evaluate_only:
        from stylegan_edu.pretrained import mnist_dcgan_generator

        info = json.loads((ASSET / "mnist_dcgan_generator.json").read_text())
        info["metrics"], info["heldout_metrics"] = evaluate(mnist_dcgan_generator()), evaluate_real(heldout)
        info["fid"] = info["metrics"]["fid"]
        (ASSET / "mnist_dcgan_generator.json").write_text(json.dumps(info, indent=1))
        (ASSET / "README.md").write_text(_readme(info))
        print(json.dumps(info["metrics"], indent=1))
        return 0

    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.gan import train_mnist
    from stylegan_edu.models import GeneratorConfig
    from stylegan_edu.training import TrainConfig

    config = TrainConfig(epochs=args.epochs, batch_size=args.batch_size, seed=args.seed, mixed_precision="off",
                         ema_decay=args.ema_decay or None, augment=args.augment, r1_weight=args.r1_weight)
    Path(args.work).mkdir(parents=True, exist_ok=True)
    timing = Path(args.work, "train_seconds.json")  # the time used so far, for --resume
    budget = TimeBudget(args.minutes * 60, TimeBudget.recorded(timing) if args.resume else 0.0, record=timing)
    gan = train_mnist(config, args.work, images=train, resume=args.resume, fid_every=args.fid_every, fid_num_samples=1000,
                      progress=False, extra_callbacks=[budget])
    steps = int(gan.g_optimizer.iterations)
    print(f"Trained {steps} steps in {budget.elapsed / 60:.1f} min; measuring {EVAL_SAMPLES} samples ...", flush=True)
    generator = gan.ema_generator if gan.ema_generator is not None else gan.generator
    info = {
        "metrics": evaluate(generator),
        "heldout_metrics": evaluate_real(heldout),
        "train_config": dataclasses.asdict(config),
        "generator_config": {k: (list(v) if isinstance(v, tuple) else v)
                             for k, v in dataclasses.asdict(GeneratorConfig(seed=config.seed)).items()},
        "generator_params": int(generator.count_params()),
        "n_images": int(len(train)),
        "data_source": source,
        "steps": steps,
        "epochs_done": gan.state.epochs_done,
        "budget_minutes": args.minutes,
        "train_seconds": budget.elapsed,
        "fid_samples_during_training": 1000,
        "history": gan.state.history,
        "machine": machine_info(),
        "note": args.note,
    }
    info.update(fid=info["metrics"]["fid"], fid_samples=EVAL_SAMPLES, fid_noise_seed=EVAL_SEED)  # the keys chapter 2 reads
    print(json.dumps(info["metrics"], indent=1), flush=True)
    Path(args.work, "result.json").write_text(json.dumps(info, indent=1))
    if args.no_ship:
        return 0
    ASSET.mkdir(parents=True, exist_ok=True)
    generator.save_weights(str(ASSET / "generator.weights.h5"))
    write_progress_frames(Path(args.work, "samples"), ASSET / "progress", max_frames=args.frames)  # chapter 9 animates them
    write_checksums(ASSET)  # the weights' SHA-256, checked by pretrained.mnist_dcgan_generator()
    (ASSET / "mnist_dcgan_generator.json").write_text(json.dumps(info, indent=1))
    (ASSET / "README.md").write_text(_readme(info))
    print(f"Wrote {ASSET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
