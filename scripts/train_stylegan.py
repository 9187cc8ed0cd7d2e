"""Train the style-based generator that ships in the package (chapter 13), within a time budget.

Uses the package's own trainer (:func:`stylegan_edu.stylegan.train_stylegan`:
StyleGAN2's recipe with style mixing, lazy R1, EMA and w-bar) on the 60,000
images of the Fashion-MNIST *training* split, padded to 32 x 32, seeded.
Training stops after the last step that fits in ``--minutes`` (the last
epoch may then be partial). Afterwards it measures the EMA generator on
10,000 samples (psi = 1, random noise, z seed 12345), cropped to 28 x 28,
against the 10,000 images of the *test* split:

* FID and KID (:func:`stylegan_edu.metrics.fid`, :func:`~stylegan_edu.metrics.kid`,
  ``dataset="fashion_mnist"``),
* the class shares by the shipped Fashion-MNIST feature net's prediction,

and writes

* ``stylegan_edu/assets/stylegan_generator/generator.weights.h5`` (the EMA generator's weights, w-bar included),
* ``stylegan_edu/assets/stylegan_generator/stylegan_generator.json`` (settings, time, machine, history, metrics),
* ``stylegan_edu/assets/stylegan_generator/README.md``,
* ``stylegan_edu/assets/stylegan_generator/progress/epoch_NNNN.png`` (the sample grid after each epoch),
* ``stylegan_edu/assets/stylegan_generator/SHA256SUMS`` (checked by
  :func:`stylegan_edu.pretrained.stylegan_generator`).

The run keeps checkpoints in ``--work`` and can be interrupted and resumed
(``--resume``). ``--evaluate-only`` re-measures the shipped weights;
``--no-ship`` trains and measures without writing the asset (trials).

``--dataset mnist`` is a trial for the reference MNIST generator (issue 13): the
same trainer and recipe on the MNIST training digits of
:func:`stylegan_edu.data.mnist_gan_split` (offline: 8,000), measured against the
held-out digits (``dataset="mnist"``: FID, KID, legible rate, class shares) at
psi = 1 and 0.7; it writes ``result.json`` in ``--work`` and never the asset.

Usage::

    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --minutes 90
    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --dataset mnist --minutes 45
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
ASSET = ROOT / "stylegan_edu" / "assets" / "stylegan_generator"
EVAL_SAMPLES = 10_000
EVAL_SEED = 12345


def evaluate(generator, num_samples=EVAL_SAMPLES, seed=EVAL_SEED, truncation_psi=1.0, dataset="fashion_mnist"):
    """FID, KID, class shares and mean confidence of ``num_samples`` samples of a StyleGANGenerator against the
    reference images of ``dataset`` (Fashion-MNIST: the test split; MNIST: the held-out digits)."""
    import numpy as np

    from stylegan_edu import metrics
    from stylegan_edu.stylegan import crop_to_28

    z = np.random.default_rng(seed).standard_normal((num_samples, generator.latent_dim)).astype(np.float32)
    images = np.concatenate([np.asarray(generator(z[i:i + 500], truncation_psi=truncation_psi, training=False))
                             for i in range(0, num_samples, 500)])
    report = metrics.sample_quality(crop_to_28(images), dataset=dataset)  # (N, 28, 28, 1) against the reference
    return {**report, "noise_seed": int(seed), "truncation_psi": float(truncation_psi)}


def _readme(info):
    m = info["metrics"]
    cfg = info["train_config"]
    shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in m["class_shares"].items())
    rows = "\n".join(f"| {h['epoch']} | {h.get('fid', float('nan')):.2f} | {h.get('kid', float('nan')):.4f} |"
                     for h in info["history"] if "fid" in h)
    return f"""# Style-based generator for Fashion-MNIST (chapter 13)

The generator behind `stylegan_edu.pretrained.stylegan_generator("fashion_mnist")`: a StyleGAN2-style
generator (`stylegan_edu.models.StyleGANGenerator`, {info['generator_params']:,} parameters; mapping
{info['generator_config']['mapping']['latent_dim']} -> {info['generator_config']['mapping']['w_dim']}, synthesis 4 -> 32 px with
channels {tuple(info['generator_config']['synthesis']['channels'])}), the **EMA** of the trained weights, with the running
average w-bar (`w_avg`) for the truncation trick.

* Trained by `scripts/train_stylegan.py` with `stylegan_edu.stylegan.train_stylegan` on the
  {info['n_images']:,} images of the Fashion-MNIST training split, padded to 32 x 32:
  batch {cfg['batch_size']}, Adam(lr={cfg['learning_rate']}, beta_1={cfg['beta_1']}, beta_2={cfg['beta_2']}),
  R1 gamma={cfg['r1_weight']} every {cfg['r1_interval']} steps, EMA decay {cfg['ema_decay']}, style mixing
  {info['stylegan_config']['style_mixing_prob']}, seed {cfg['seed']}.
* {info['steps']:,} steps in {info['train_seconds'] / 60:.1f} min ({1000 * info['train_seconds'] / max(info['steps'], 1):.0f} ms/step,
  budget {info['budget_minutes']} min) on {info['machine']['cpu_count']} CPU core(s), GPUs: {info['machine']['gpus'] or 'none'},
  shared with other jobs (wall time, not a benchmark).
* **FID {m['fid']:.2f}, KID {m['kid']:.4f}** on {m['num_samples']:,} samples (psi = {m['truncation_psi']}, noise seed
  {m['noise_seed']}) against the 10,000 test-split images, in the shipped Fashion-MNIST feature net's space.
* Class shares by the feature net: {shares}.

During training (EMA generator, {info['quality_samples']:,} samples per point, so biased upwards; training stops
when the time budget is spent, so the last epoch may be partial: {info['steps']:,} steps = {info['steps'] / info['steps_per_epoch']:.2f} epochs
of {info['steps_per_epoch']:,} steps):

| epoch | FID | KID |
|---|---|---|
{rows}

Regenerate: `STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --minutes {info['budget_minutes']}`

Files: `generator.weights.h5` (Keras weights of the EMA generator), `SHA256SUMS` (its SHA-256, checked before loading),
`stylegan_generator.json` (everything above, machine-readable), `progress/epoch_NNNN.png` (the EMA generator's samples
from a fixed batch of latents after each epoch: `pretrained.stylegan_progress()`), and, written by
`benchmarks/stylegan_vs_dcgan.py`, `dcgan_comparison.json` and `dcgan_samples.png` (the DCGAN recipe trained on the same
data for the same time, measured with the same protocol: `pretrained.stylegan_dcgan_comparison()`).
"""


def mnist_trial(args):
    """The same trainer and recipe on the MNIST training digits; quality against the held-out digits (issue 13)."""
    from stylegan_edu._io import machine_info
    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.data import mnist_gan_split
    from stylegan_edu.stylegan import STYLEGAN_TRAIN_CONFIG, QualityMonitor, StyleGANConfig, train_stylegan

    work = args.work if args.work != str(ROOT / "runs" / "stylegan_generator") else str(ROOT / "runs" / "stylegan_mnist")
    train, heldout, source = mnist_gan_split()
    config = dataclasses.replace(STYLEGAN_TRAIN_CONFIG, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    Path(work).mkdir(parents=True, exist_ok=True)
    timing = Path(work, "train_seconds.json")
    budget = TimeBudget(args.minutes * 60, TimeBudget.recorded(timing) if args.resume else 0.0, record=timing)
    monitor = ([QualityMonitor(every=args.quality_every, num_samples=args.quality_samples, seed=args.seed, dataset="mnist")]
               if args.quality_every else [])
    trainer = train_stylegan(work, config=config, stylegan_config=StyleGANConfig(), images=train[:args.limit],
                             resume=args.resume, quality_every=0, progress=False, extra_callbacks=[budget, *monitor])
    steps = int(trainer.g_optimizer.iterations)
    print(f"Trained {steps} steps in {budget.elapsed / 60:.1f} min; measuring {EVAL_SAMPLES} samples ...", flush=True)
    info = {"metrics": {str(psi): evaluate(trainer.ema_generator, truncation_psi=psi, dataset="mnist") for psi in (1.0, 0.7)},
            "train_config": dataclasses.asdict(config), "n_images": int(len(train[:args.limit])), "data_source": source,
            "steps": steps, "epochs_done": trainer.state.epochs_done, "budget_minutes": args.minutes,
            "train_seconds": budget.elapsed, "history": trainer.state.history, "machine": machine_info()}
    Path(work, "result.json").write_text(json.dumps(info, indent=1))
    for psi, m in info["metrics"].items():
        shares = list(m["class_shares"].values())
        print(f"psi {psi}: FID {m['fid']:.2f}, KID {m['kid']:.4f}, legible {100 * m['legible_rate']:.1f}%, "
              f"class shares {100 * min(shares):.1f}% to {100 * max(shares):.1f}%", flush=True)
    return 0


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--minutes", type=float, default=90.0, help="training time budget (default 90)")
    parser.add_argument("--epochs", type=int, default=100, help="at most this many epochs (default 100)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only (trials)")
    parser.add_argument("--quality-every", type=int, default=1, help="FID/KID every K epochs (0: never)")
    parser.add_argument("--quality-samples", type=int, default=2000)
    parser.add_argument("--work", default=str(ROOT / "runs" / "stylegan_generator"), help="checkpoints, samples, history")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--no-ship", action="store_true", help="do not write the asset (trials)")
    parser.add_argument("--evaluate-only", action="store_true", help="re-measure the shipped weights")
    parser.add_argument("--dataset", default="fashion_mnist", choices=("fashion_mnist", "mnist"),
                        help="mnist: a trial on the MNIST training digits, measured against the held-out ones (never shipped)")
    args = parser.parse_args(argv)
    if args.dataset == "mnist":
        return mnist_trial(args)

    from stylegan_edu._io import machine_info
    from stylegan_edu.pretrained import write_checksums

    if args.evaluate_only:
        from stylegan_edu.pretrained import stylegan_generator

        info = json.loads((ASSET / "stylegan_generator.json").read_text())
        info["metrics"] = evaluate(stylegan_generator("fashion_mnist"))
        (ASSET / "stylegan_generator.json").write_text(json.dumps(info, indent=1))
        (ASSET / "README.md").write_text(_readme(info))
        print(json.dumps(info["metrics"], indent=1))
        return 0

    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.data import load_fashion_mnist
    from stylegan_edu.stylegan import STYLEGAN_TRAIN_CONFIG, StyleGANConfig, train_stylegan

    config = dataclasses.replace(STYLEGAN_TRAIN_CONFIG, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed)
    stylegan_config = StyleGANConfig()
    images, _ = load_fashion_mnist("train")
    if args.limit:
        images = images[:args.limit]
    timing = Path(args.work, "train_seconds.json")  # the time used so far, for --resume
    budget = TimeBudget(args.minutes * 60, TimeBudget.recorded(timing) if args.resume else 0.0, record=timing)
    trainer = train_stylegan(args.work, config=config, stylegan_config=stylegan_config, images=images, resume=args.resume,
                             quality_every=args.quality_every, quality_num_samples=args.quality_samples, progress=False,
                             extra_callbacks=[budget])
    train_seconds = budget.elapsed
    steps = int(trainer.g_optimizer.iterations)
    print(f"Trained {steps} steps in {train_seconds / 60:.1f} min ({1000 * train_seconds / max(steps, 1):.0f} ms/step); "
          f"measuring {EVAL_SAMPLES} samples ...", flush=True)
    generator = trainer.ema_generator
    metrics = evaluate(generator)
    info = {
        "metrics": metrics,
        "train_config": dataclasses.asdict(config),
        "stylegan_config": dataclasses.asdict(trainer.stylegan_config),
        "generator_config": dataclasses.asdict(generator.config),
        "generator_params": int(generator.count_params()),
        "n_images": int(len(images)),
        "steps": steps,
        "steps_per_epoch": len(images) // config.batch_size,
        "epochs_done": trainer.state.epochs_done,
        "budget_minutes": args.minutes,
        "train_seconds": train_seconds,
        "quality_samples": args.quality_samples,
        "history": trainer.state.history,
        "machine": machine_info(),
    }
    print(json.dumps(metrics, indent=1), flush=True)
    Path(args.work, "result.json").write_text(json.dumps(info, indent=1))
    if args.no_ship:
        return 0
    ASSET.mkdir(parents=True, exist_ok=True)
    generator.save_weights(str(ASSET / "generator.weights.h5"))
    progress = ASSET / "progress"  # the per-epoch sample grids, animated in chapter 13 (pretrained.stylegan_progress)
    if progress.is_dir():
        for old in progress.glob("epoch_*.png"):
            old.unlink()
    progress.mkdir(exist_ok=True)
    for frame in sorted(Path(args.work, "samples").glob("epoch_*.png")):
        (progress / frame.name).write_bytes(frame.read_bytes())
    write_checksums(ASSET)  # the weights' SHA-256, checked by pretrained.stylegan_generator()
    (ASSET / "stylegan_generator.json").write_text(json.dumps(info, indent=1))
    (ASSET / "README.md").write_text(_readme(info))
    print(f"Wrote {ASSET}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
