"""Train a style-based generator that ships in the package (chapter 13), within a time budget.

Uses the package's own trainer (:func:`stylegan_edu.stylegan.train_stylegan`:
StyleGAN2's recipe with style mixing, lazy R1, EMA and w-bar), seeded, on

* ``--dataset fashion_mnist`` (default): the 60,000 images of the Fashion-MNIST
  *training* split, measured against the 10,000 of the *test* split;
* ``--dataset mnist``: the training digits of :func:`stylegan_edu.data.mnist_gan_split`
  (offline: 8,000), measured against its held-out digits (offline: 2,000). This is
  the reference MNIST generator, :func:`stylegan_edu.pretrained.mnist_generator`.

The images are padded to 32 x 32. Training stops after the last step that fits
in ``--minutes`` (the last epoch may then be partial). Afterwards it measures
the EMA generator on 10,000 samples (psi = 1, random noise, z seed 12345),
cropped to 28 x 28, with :func:`stylegan_edu.metrics.sample_quality`: FID, KID,
the class shares and the legible rate by the shipped feature net of the data
set; for MNIST also at psi = 0.7, and the real held-out digits the same way. It writes

* ``<asset>/generator.weights.h5`` (the EMA generator's weights, w-bar included),
* ``<asset>/<record>.json`` (settings, time, machine, history, metrics),
* ``<asset>/README.md``,
* ``<asset>/progress/epoch_NNNN.png`` (at most ``--frames`` of the per-epoch
  sample grids, more early: :func:`stylegan_edu.pretrained.write_progress_frames`),
* ``<asset>/SHA256SUMS`` (checked by :func:`stylegan_edu.pretrained.stylegan_generator`),

with ``<asset>`` ``stylegan_edu/assets/stylegan_generator`` (record
``stylegan_generator.json``) or ``stylegan_edu/assets/mnist_generator``
(record ``mnist_generator.json``).

For MNIST it also asks the trained discriminator about training digits,
held-out digits and fakes, digit by digit (:func:`discriminator_diagnosis`:
does it memorise, and which fakes does it let pass?).

The run keeps checkpoints in ``--work`` and can be interrupted and resumed
(``--resume``, which also resumes the time budget; a run whose budget is spent
takes no more steps and is measured and shipped as it is). ``--evaluate-only``
re-measures the shipped weights; ``--no-ship`` trains and measures without
writing the asset (trials); ``--augment`` switches DiffAugment on;
``--diagnose-only`` adds the discriminator diagnosis to a finished run's
``result.json``; ``--other-runs DIR ...`` records other finished runs (seeds,
recipes) next to the shipped one, and ``--update-record`` rewrites just that
part of the shipped record and README, keeping the weights and their numbers.

Usage::

    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --minutes 90
    STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --dataset mnist --minutes 55 --seed 1
    # a trial with DiffAugment, not shipped; then its discriminator diagnosis again, without training
    ... scripts/train_stylegan.py --dataset mnist --minutes 55 --seed 1 --augment translation --work runs/t --no-ship
    ... scripts/train_stylegan.py --dataset mnist --minutes 55 --seed 1 --augment translation --work runs/t --resume --diagnose-only
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
#: Per data set: the asset folder, its JSON record, the default work folder.
ASSETS = {"fashion_mnist": (ROOT / "stylegan_edu" / "assets" / "stylegan_generator", "stylegan_generator.json",
                            ROOT / "runs" / "stylegan_generator"),
          "mnist": (ROOT / "stylegan_edu" / "assets" / "mnist_generator", "mnist_generator.json",
                    ROOT / "runs" / "stylegan_mnist")}
EVAL_SAMPLES = 10_000
EVAL_SEED = 12345


def evaluate(generator, num_samples=EVAL_SAMPLES, seed=EVAL_SEED, truncation_psi=1.0, dataset="fashion_mnist"):
    """FID, KID, class shares, legible rate and mean confidence of ``num_samples`` samples of a StyleGANGenerator
    against the reference images of ``dataset`` (Fashion-MNIST: the test split; MNIST: the held-out digits)."""
    import numpy as np

    from stylegan_edu import metrics
    from stylegan_edu.stylegan import crop_to_28

    z = np.random.default_rng(seed).standard_normal((num_samples, generator.latent_dim)).astype(np.float32)
    images = np.concatenate([np.asarray(generator(z[i:i + 500], truncation_psi=truncation_psi, training=False))
                             for i in range(0, num_samples, 500)])
    report = metrics.sample_quality(crop_to_28(images), dataset=dataset)  # (N, 28, 28, 1) against the reference
    return {**report, "noise_seed": int(seed), "truncation_psi": float(truncation_psi)}


def evaluate_real(images, dataset="mnist"):
    """The same numbers for real reference images (their FID/KID against their own statistics is 0 by construction)."""
    from stylegan_edu.data import to_unit_range
    from stylegan_edu.metrics import sample_quality

    q = sample_quality(to_unit_range(images)[..., None], dataset=dataset)
    return {k: q[k] for k in ("num_samples", "mean_confidence", "legible_rate", "class_shares")}


def discriminator_diagnosis(trainer, images, heldout, num_images=2000, seed=EVAL_SEED):
    """The trained discriminator on training digits, held-out digits and the (non-EMA) generator's fakes, per digit.

    :func:`stylegan_edu.training.discriminator_report` on ``num_images`` of each
    (uint8 (N, 28, 28) digits padded to 32; fakes at psi = 1, the generator D
    trained against), with the feature net's classes (of the images before
    augmentation) as labels. A run with DiffAugment is asked about the images
    as its D saw them in training: through the same policy (one fixed draw).
    """
    import keras
    import numpy as np

    from stylegan_edu.augment import diff_augment
    from stylegan_edu.metrics import predicted_classes
    from stylegan_edu.stylegan import crop_to_28, pad_to_32
    from stylegan_edu.training import discriminator_report

    z = np.random.default_rng(seed).standard_normal((num_images, trainer.latent_dim)).astype(np.float32)
    groups = {"training digits": pad_to_32(images[:num_images]), "held-out digits": pad_to_32(heldout[:num_images]),
              "fakes": trainer.generate(z, use_ema=False)}  # (N, 32, 32, 1) each, in [-1, 1]
    labels = {k: np.asarray(predicted_classes(crop_to_28(x), dataset="mnist")[0]) for k, x in groups.items()}
    if trainer.config.augment:
        groups = {k: np.asarray(diff_augment(x, trainer.config.augment, seed=keras.random.SeedGenerator(seed)))
                  for k, x in groups.items()}  # (N, 32, 32, 1), as D sees them
    report = discriminator_report(trainer.discriminator, groups, labels=labels)
    for k, r in report.items():
        r["class_shares"] = {int(c): float(np.mean(labels[k] == c)) for c in range(10)}
    return report


def other_run(work):
    """What the record keeps of another finished run (e.g. another seed or recipe): its settings and measurements."""
    from stylegan_edu.callbacks import TimeBudget

    r = json.loads((work / "result.json").read_text())
    keep = ("steps", "train_seconds", "metrics", "metrics_truncated", "discriminator")
    out = {"seed": r["train_config"]["seed"], "augment": r["train_config"]["augment"], **{k: r[k] for k in keep if k in r}}
    if (work / "train_seconds.json").exists():  # the budget's own record (older scripts counted the measuring too)
        out["train_seconds"] = TimeBudget.recorded(work / "train_seconds.json")
    return out


def _history_rows(info):
    return "\n".join(f"| {h['epoch']} | {h.get('fid', float('nan')):.2f} | {h.get('kid', float('nan')):.4f} |"
                     for h in info["history"] if "fid" in h)


def _recipe(info):
    cfg = info["train_config"]
    return (f"batch {cfg['batch_size']}, Adam(lr={cfg['learning_rate']}, beta_1={cfg['beta_1']}, beta_2={cfg['beta_2']}),\n"
            f"  R1 gamma={cfg['r1_weight']} every {cfg['r1_interval']} steps, EMA decay {cfg['ema_decay']}, style mixing\n"
            f"  {info['stylegan_config']['style_mixing_prob']}, DiffAugment {cfg.get('augment') or 'off'}, seed {cfg['seed']}")


def _architecture(info):
    g = info["generator_config"]
    return (f"(`stylegan_edu.models.StyleGANGenerator`, {info['generator_params']:,} parameters;\n"
            f"mapping {g['mapping']['latent_dim']} -> {g['mapping']['w_dim']}, synthesis 4 -> 32 px with channels "
            f"{tuple(g['synthesis']['channels'])}),\nthe **EMA** of the trained weights, with the running average w-bar "
            f"(`w_avg`) for the truncation trick")


def _timing(info):
    return (f"{info['steps']:,} steps in {info['train_seconds'] / 60:.1f} min "
            f"({1000 * info['train_seconds'] / max(info['steps'], 1):.0f} ms/step, budget {info['budget_minutes']:g} min)\n"
            f"  on {info['machine']['cpu_count']} CPU core(s), GPUs: {info['machine']['gpus'] or 'none'}")


def _readme_fashion(info):
    m = info["metrics"]
    shares = ", ".join(f"{k} {100 * v:.1f}%" for k, v in m["class_shares"].items())
    return f"""# Style-based generator for Fashion-MNIST (chapter 13)

The generator behind `stylegan_edu.pretrained.stylegan_generator("fashion_mnist")`: a StyleGAN2-style
generator {_architecture(info)}.

* Trained by `scripts/train_stylegan.py` with `stylegan_edu.stylegan.train_stylegan` on the
  {info['n_images']:,} images of the Fashion-MNIST training split, padded to 32 x 32:
  {_recipe(info)}.
* {_timing(info)},
  shared with other jobs (wall time, not a benchmark).
* **FID {m['fid']:.2f}, KID {m['kid']:.4f}** on {m['num_samples']:,} samples (psi = {m['truncation_psi']}, noise seed
  {m['noise_seed']}) against the 10,000 test-split images, in the shipped Fashion-MNIST feature net's space.
* Class shares by the feature net: {shares}.

During training (EMA generator, {info['quality_samples']:,} samples per point, so biased upwards; training stops
when the time budget is spent, so the last epoch may be partial: {info['steps']:,} steps = {info['steps'] / info['steps_per_epoch']:.2f} epochs
of {info['steps_per_epoch']:,} steps):

| epoch | FID | KID |
|---|---|---|
{_history_rows(info)}

Regenerate: `STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --minutes {info['budget_minutes']:g}`

Files: `generator.weights.h5` (Keras weights of the EMA generator), `SHA256SUMS` (its SHA-256, checked before loading),
`stylegan_generator.json` (everything above, machine-readable), `progress/epoch_NNNN.png` (the EMA generator's samples
from a fixed batch of latents after each epoch: `pretrained.stylegan_progress()`), and, written by
`benchmarks/stylegan_vs_dcgan.py`, `dcgan_comparison.json` and `dcgan_samples.png` (the DCGAN recipe trained on the same
data for the same time, measured with the same protocol: `pretrained.stylegan_dcgan_comparison()`).
"""


def _diagnosis_cells(diagnosis):
    """Table cells: D's mean logit per group, then the fake-minus-training gap for the 1s and the range for the rest."""
    d = json.loads(json.dumps(diagnosis))  # class keys as strings, as in a record read back from JSON
    real, fake = d["training digits"]["by_class"], d["fakes"]["by_class"]
    gaps = {k: fake[k] - real[k] for k in fake if k in real}
    others = [v for k, v in gaps.items() if k != "1"]
    return " | ".join([*(f"{g['mean_logit']:+.2f}" for g in d.values()), f"{gaps['1']:+.2f}" if "1" in gaps else "n/a",
                       f"{min(others):+.2f} to {max(others):+.2f}" if others else "n/a"])


def _readme_mnist(info):
    m, t, real = info["metrics"], info["metrics_truncated"], info["heldout_metrics"]

    def span(q):
        v = [100 * x for x in q["class_shares"].values()]
        return f"{min(v):.1f}% to {max(v):.1f}%"

    shares = ", ".join(f"{k}: {100 * v:.1f}%" for k, v in m["class_shares"].items())
    low, high = min(m["class_shares"].values()), max(m["class_shares"].values())
    goals = [(f"MNIST-FID at most 5: {m['fid']:.2f}", m["fid"] <= 5),
             (f"legible rate at least 90%: {100 * m['legible_rate']:.1f}%", m["legible_rate"] >= 0.9),
             (f"every digit 7% to 13% of the samples: {100 * low:.1f}% to {100 * high:.1f}%", 0.07 <= low and high <= 0.13),
             (f"training at most 60 min on this CPU: {info['train_seconds'] / 60:.1f} min", info["train_seconds"] <= 3600)]
    goal_lines = "\n".join(f"* {text}: **{'met' if ok else 'missed'}**" for text, ok in goals)
    runs = [{"seed": info["train_config"]["seed"], "augment": info["train_config"]["augment"], "steps": info["steps"],
             "train_seconds": info["train_seconds"], "metrics": m, "discriminator": info.get("discriminator"),
             "name": "**shipped**"}] + info.get("other_runs", [])
    run_rows = "\n".join(
        f"| {r.get('name', 'other')} | {r['seed']} | {r['augment'] or 'off'} | {r['train_seconds'] / 60:.1f} | {r['steps']:,} | "
        f"{r['metrics']['fid']:.2f} | {r['metrics']['kid']:.4f} | {100 * r['metrics']['legible_rate']:.1f}% | {span(r['metrics'])} | "
        f"{100 * r['metrics']['class_shares']['1']:.1f}% |" for r in runs)
    diag_rows = "\n".join(f"| {r.get('name', 'other')} | {r['seed']} | {r['augment'] or 'off'} | {_diagnosis_cells(r['discriminator'])} |"
                          for r in runs if r.get("discriminator"))
    rows = _history_rows(info)
    during = (f"\nDuring training (EMA generator, {info['quality_samples']:,} samples per point, so biased upwards):\n\n"
              f"| epoch | FID | KID |\n|---|---|---|\n{rows}\n") if rows else ""
    return f"""# Reference MNIST generator (style-based)

The generator behind `stylegan_edu.pretrained.mnist_generator()` (= `stylegan_generator("mnist", crop=True)`),
shown in chapter 13: that chapter's StyleGAN2-style generator {_architecture(info)}.
It replaced the book's DCGAN as the reference generator (that one is `pretrained.mnist_dcgan_generator()`:
MNIST-FID 11.0, legible rate 70.7%, `../mnist_dcgan_generator/README.md`).

* Trained by `scripts/train_stylegan.py --dataset mnist` with `stylegan_edu.stylegan.train_stylegan`, chapter 13's
  recipe{' with its DiffAugment option' if info['train_config'].get('augment') else ', unchanged'}, on {info['data_source']},
  padded to 32 x 32:
  {_recipe(info)}.
* {_timing(info)},
  wall time.{(chr(10) + '* ' + info['note']) if info.get('note') else ''}

## Quality, on {m['num_samples']:,} samples (noise seed {m['noise_seed']}, random noise inputs, cropped to 28 x 28) against the {real['num_samples']:,} held-out digits

| | psi = 1 (shipped default) | psi = 0.7 | real held-out digits |
|---|---|---|---|
| MNIST-FID | **{m['fid']:.2f}** | {t['fid']:.2f} | floor: 8,000 real training digits score 1.18 (`../mnist_fid_stats.md`) |
| KID | {m['kid']:.4f} | {t['kid']:.4f} | |
| legible rate (feature-net confidence >= 0.9) | **{100 * m['legible_rate']:.1f}%** | {100 * t['legible_rate']:.1f}% | {100 * real['legible_rate']:.1f}% |
| mean confidence | {m['mean_confidence']:.3f} | {t['mean_confidence']:.3f} | {real['mean_confidence']:.3f} |
| class shares | **{span(m)}** | {span(t)} | {span(real)} |

Class shares at psi = 1: {shares}. Truncation raises the legible rate only a little and costs FID and class
balance, so the generator is measured, and used, at psi = 1.

The goals (issue 13), at psi = 1:

{goal_lines}

## Runs of this script at the same budget (10,000 samples each, psi = 1)

| run | seed | DiffAugment | minutes | steps | FID | KID | legible | class shares | 1s |
|---|---|---|---|---|---|---|---|---|---|
{run_rows}

## The discriminator at the end of each run

Mean logit of the trained discriminator on 2,000 training digits, 2,000 held-out digits and 2,000 fakes of the
(non-EMA) generator (with DiffAugment: through the run's policy, as D saw images in training), and per digit the gap
between fakes and training digits (by the feature net's classes): how far below a real digit of the same class a fake
one scores (`training.discriminator_report`).

| run | seed | DiffAugment | training digits | held-out digits | fakes | gap, 1s | gap, other digits |
|---|---|---|---|---|---|---|---|
{diag_rows}
{during}
Regenerate:

```bash
STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python scripts/train_stylegan.py --dataset mnist --minutes {info['budget_minutes']:g} --seed {info['train_config']['seed']} --quality-every 0{(' --augment ' + info['train_config']['augment']) if info['train_config'].get('augment') else ''}
```

Files: `generator.weights.h5` (Keras weights of the EMA generator), `SHA256SUMS` (its SHA-256, checked before loading),
`mnist_generator.json` (everything above, machine-readable), `progress/epoch_NNNN.png` ({len(info['progress_epochs'])} of the
per-epoch sample grids of a fixed batch of latents: `pretrained.mnist_generator_progress()`).
"""


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="fashion_mnist", choices=tuple(ASSETS))
    parser.add_argument("--minutes", type=float, default=90.0, help="training time budget (default 90)")
    parser.add_argument("--epochs", type=int, default=100, help="at most this many epochs (default 100)")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--augment", default="", help="DiffAugment policy for the discriminator's inputs, e.g. "
                                                      "translation,cutout (default: none)")
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images only (trials)")
    parser.add_argument("--quality-every", type=int, default=1, help="FID/KID every K epochs (0: never)")
    parser.add_argument("--quality-samples", type=int, default=2000)
    parser.add_argument("--eval-samples", type=int, default=EVAL_SAMPLES,
                        help=f"samples for the final FID/KID and class shares (default {EVAL_SAMPLES:,}; fewer: trials)")
    parser.add_argument("--frames", type=int, default=24, help="how many per-epoch sample grids to ship (default 24)")
    parser.add_argument("--work", default=None, help="checkpoints, samples, history (default runs/stylegan_generator or "
                                                     "runs/stylegan_mnist)")
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--note", default="", help="a sentence about this run for the README (e.g. how it was resumed)")
    parser.add_argument("--no-ship", action="store_true", help="do not write the asset (trials)")
    parser.add_argument("--evaluate-only", action="store_true", help="re-measure the shipped weights")
    parser.add_argument("--diagnose-only", action="store_true",
                        help="MNIST: add the discriminator diagnosis to a finished run's <work>/result.json (no training)")
    parser.add_argument("--update-record", action="store_true",
                        help="keep the shipped weights and their measurements; re-write the record's other runs (--other-runs) "
                             "and discriminator diagnosis (from --work's result.json, the shipped run's folder) and the README")
    parser.add_argument("--other-runs", nargs="*", default=[], metavar="DIR",
                        help="finished runs (work folders) whose result.json to record next to this one, e.g. other seeds")
    args = parser.parse_args(argv)
    asset, record, default_work = ASSETS[args.dataset]
    work = Path(args.work or default_work)
    readme = _readme_mnist if args.dataset == "mnist" else _readme_fashion
    timing = work / "train_seconds.json"  # the time used so far, for --resume (TimeBudget's record)
    if args.diagnose_only:  # checked before TensorFlow loads and the digits are read: a refusal is instant
        from stylegan_edu._io import recorded_seconds

        used = recorded_seconds(timing)
        if not (args.dataset == "mnist" and args.resume and used >= args.minutes * 60 and (work / "result.json").exists()):
            parser.error("--diagnose-only needs --dataset mnist, --resume and a finished run in --work (its time budget, "
                         f"--minutes {args.minutes:g}, spent, and its result.json written); {work} has {used / 60:.1f} min")

    from stylegan_edu._io import machine_info
    from stylegan_edu.data import load_fashion_mnist, mnist_gan_split
    from stylegan_edu.pretrained import write_checksums, write_progress_frames

    if args.dataset == "mnist":
        images, heldout, source = mnist_gan_split()
        source = f"the {len(images):,} training digits of `mnist_gan_split()` ({source})"
    else:
        (images, _), heldout, source = load_fashion_mnist("train"), None, "the Fashion-MNIST training split"
    images = images[:args.limit] if args.limit else images

    def measure(generator):
        m = {"metrics": evaluate(generator, num_samples=args.eval_samples, dataset=args.dataset)}
        if args.dataset == "mnist":
            m["metrics_truncated"] = evaluate(generator, num_samples=args.eval_samples, truncation_psi=0.7, dataset="mnist")
            m["heldout_metrics"] = evaluate_real(heldout)
        return m

    if args.update_record:
        info = json.loads((asset / record).read_text())
        shipped = json.loads((work / "result.json").read_text())
        if shipped["steps"] != info["steps"] or shipped["train_config"] != info["train_config"]:
            parser.error(f"--update-record: {work} is not the shipped run ({shipped['steps']} steps, seed "
                         f"{shipped['train_config']['seed']}; the shipped one: {info['steps']} steps, seed {info['train_config']['seed']})")
        info.pop("other_seeds", None)  # older records: replaced by other_runs
        if "discriminator" in shipped:
            info["discriminator"] = shipped["discriminator"]
        info["other_runs"] = [other_run(Path(d)) for d in args.other_runs]
        info["note"] = args.note or info.get("note", "")
        (asset / record).write_text(json.dumps(info, indent=1))
        (asset / "README.md").write_text(readme(info))
        print(f"Updated {asset / record} and its README (weights and measurements unchanged)")
        return 0

    if args.evaluate_only:
        from stylegan_edu.pretrained import stylegan_generator

        info = json.loads((asset / record).read_text())
        info.update(measure(stylegan_generator(args.dataset)))
        (asset / record).write_text(json.dumps(info, indent=1))
        (asset / "README.md").write_text(readme(info))
        print(json.dumps(info["metrics"], indent=1))
        return 0

    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.stylegan import STYLEGAN_TRAIN_CONFIG, StyleGANConfig, train_stylegan

    config = dataclasses.replace(STYLEGAN_TRAIN_CONFIG, epochs=args.epochs, batch_size=args.batch_size, seed=args.seed,
                                 augment=args.augment)
    work.mkdir(parents=True, exist_ok=True)
    budget = TimeBudget(args.minutes * 60, TimeBudget.recorded(timing) if args.resume else 0.0, record=timing)
    trainer = train_stylegan(work, config=config, stylegan_config=StyleGANConfig(), images=images, resume=args.resume,
                             quality_every=args.quality_every, quality_num_samples=args.quality_samples, progress=False,
                             extra_callbacks=[budget], dataset=args.dataset)
    steps, train_seconds = int(trainer.g_optimizer.iterations), budget.elapsed  # before measuring: that is not training
    print(f"Trained {steps} steps in {train_seconds / 60:.1f} min ({1000 * train_seconds / max(steps, 1):.0f} ms/step); "
          + ("asking its discriminator ..." if args.diagnose_only else f"measuring {args.eval_samples} samples ..."), flush=True)
    generator = trainer.ema_generator
    diagnosis = {"discriminator": discriminator_diagnosis(trainer, images, heldout, num_images=min(2000, args.eval_samples))} \
        if args.dataset == "mnist" else {}
    if args.diagnose_only:
        result = json.loads((work / "result.json").read_text())
        (work / "result.json").write_text(json.dumps({**result, **diagnosis}, indent=1))
        print(json.dumps({k: round(v["mean_logit"], 3) for k, v in diagnosis["discriminator"].items()}))
        return 0
    info = {
        **measure(generator),
        **diagnosis,
        "train_config": dataclasses.asdict(config),
        "stylegan_config": dataclasses.asdict(trainer.stylegan_config),
        "generator_config": dataclasses.asdict(generator.config),
        "generator_params": int(generator.count_params()),
        "n_images": int(len(images)),
        "data_source": source,
        "steps": steps,
        "steps_per_epoch": len(images) // config.batch_size,
        "epochs_done": trainer.state.epochs_done,
        "budget_minutes": args.minutes,
        "train_seconds": train_seconds,
        "quality_samples": args.quality_samples,
        "history": trainer.state.history,
        "machine": machine_info(),
        "note": args.note,
        "other_runs": [other_run(Path(d)) for d in args.other_runs],
    }
    for key in ("metrics", "metrics_truncated", "heldout_metrics"):
        if key in info:
            q = info[key]
            shares = [100 * v for v in q["class_shares"].values()]
            print(f"{key}: " + (f"FID {q['fid']:.2f}, KID {q['kid']:.4f}, " if "fid" in q else "") +
                  f"legible {100 * q['legible_rate']:.1f}%, class shares {min(shares):.1f}% to {max(shares):.1f}%", flush=True)
    (work / "result.json").write_text(json.dumps(info, indent=1))
    if args.no_ship:
        return 0
    asset.mkdir(parents=True, exist_ok=True)
    generator.save_weights(str(asset / "generator.weights.h5"))
    info["progress_epochs"] = write_progress_frames(work / "samples", asset / "progress", max_frames=args.frames)
    write_checksums(asset)  # the weights' SHA-256, checked by pretrained.stylegan_generator()
    (asset / record).write_text(json.dumps(info, indent=1))
    (asset / "README.md").write_text(readme(info))
    print(f"Wrote {asset}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
