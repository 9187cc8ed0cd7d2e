"""The style-based generator against the DCGAN recipe on the same data and the same training time (chapter 13).

The shipped style-based generator (``pretrained.stylegan_generator("fashion_mnist")``,
``scripts/train_stylegan.py``) trained for a recorded wall-clock time on the
60,000 Fashion-MNIST training images. This script gives the package's DCGAN
recipe (``stylegan_edu.gan.make_gan`` with the default ``GeneratorConfig``,
``DiscriminatorConfig`` and ``TrainConfig``, trained by ``gan.train_mnist``, the
same engine ``train-mnist`` runs) the same images and the same wall-clock
budget, with the same per-epoch FID/KID monitor, then measures both with one
protocol (``metrics.sample_quality``: 10,000 samples, z seed 12345, against
the 10,000 test-split images in the Fashion-MNIST feature net's space).

Three parts, in one run:

1. **Step time**, both trainers alternating (3 rounds of 40 steps each, median
   of the steps after the first 5 of a round), so the ratio is fair even on a
   shared machine.
2. **The DCGAN's training** for ``--minutes`` (default: the StyleGAN run's
   recorded training time), checkpointed in ``--work`` (``--resume`` continues,
   counting the time already used).
3. **Quality** of the DCGAN and of the shipped StyleGAN, 10,000 samples each;
   a grid of 64 DCGAN samples (``stylegan_vs_dcgan_samples.png``).

Writes ``benchmarks/stylegan_vs_dcgan.json``, ``.md`` and ``_samples.png``, and copies the
record and the samples into ``stylegan_edu/assets/stylegan_generator/`` (``dcgan_comparison.json``,
``dcgan_samples.png``), where chapter 13 reads them (``pretrained.stylegan_dcgan_comparison()``).

    STYLEGAN_EDU_DATA=../shared/data nohup nice -n 5 .venv/bin/python benchmarks/stylegan_vs_dcgan.py > /tmp/dcgan.log 2>&1 &
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
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

EVAL_SAMPLES = 10_000
EVAL_SEED = 12345


def _step_times(trainer, x, rounds_done, steps):
    """Milliseconds per training step of one more epoch of ``steps`` steps: the median after the first 5."""
    import keras

    times = []

    class Clock(keras.callbacks.Callback):
        def on_train_batch_begin(self, batch, logs=None):
            self.t0 = time.perf_counter()

        def on_train_batch_end(self, batch, logs=None):
            times.append(time.perf_counter() - self.t0)

    batch = trainer.config.batch_size
    trainer.fit(x[: batch * steps], epochs=rounds_done + 1, callbacks=[Clock()], verbose=0)
    kept = sorted(times[min(5, len(times) // 2):])  # the first steps of a round include tracing
    return 1000 * kept[len(kept) // 2]


def step_timing(x32, x28, rounds=3, steps=40):
    """Median ms/step of fresh StyleGAN and DCGAN trainers, alternating; returns a dict."""
    from stylegan_edu.gan import make_gan
    from stylegan_edu.stylegan import STYLEGAN_TRAIN_CONFIG, make_stylegan
    from stylegan_edu.training import TrainConfig

    trainers = {"stylegan": (make_stylegan(STYLEGAN_TRAIN_CONFIG), x32), "dcgan": (make_gan(TrainConfig()), x28)}
    out = {name: [] for name in trainers}
    for r in range(rounds):
        for name, (trainer, x) in trainers.items():
            out[name].append(_step_times(trainer, x, r, steps))
            print(f"timing round {r + 1}: {name} {out[name][-1]:.1f} ms/step", flush=True)
    return {
        name: {
            "ms_per_step_rounds": v,
            "ms_per_step": sorted(v)[len(v) // 2],
            "batch_size": trainers[name][0].config.batch_size,
            "generator_params": int(trainers[name][0].generator.count_params()),
            "discriminator_params": int(trainers[name][0].discriminator.count_params()),
        }
        for name, v in out.items()
    }


def quality(generate, latent_dim, num_samples=EVAL_SAMPLES):
    """``metrics.sample_quality`` of ``num_samples`` samples from ``generate(z) -> (N, 28, 28, 1)``."""
    import numpy as np

    from stylegan_edu import metrics

    z = np.random.default_rng(EVAL_SEED).standard_normal((num_samples, latent_dim)).astype(np.float32)
    images = np.concatenate([np.asarray(generate(z[i:i + 500])) for i in range(0, num_samples, 500)])
    return metrics.sample_quality(images, dataset="fashion_mnist"), images


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=None, help="the DCGAN's budget (default: the StyleGAN run's time)")
    parser.add_argument("--work", default=str(ROOT / "runs" / "dcgan_fashion_mnist"))
    parser.add_argument("--resume", action="store_true")
    parser.add_argument("--out", default=str(ROOT / "benchmarks" / "stylegan_vs_dcgan"))
    parser.add_argument("--limit", type=int, default=None, help="train on the first N images (smoke tests)")
    parser.add_argument("--timing-steps", type=int, default=40, help="steps per timing round")
    parser.add_argument("--timing-rounds", type=int, default=3, help="timing rounds per model, alternating; the median is kept")
    parser.add_argument("--eval-samples", type=int, default=EVAL_SAMPLES, help="samples per model for the final numbers")
    parser.add_argument("--no-publish", action="store_true", help="do not copy the record into the StyleGAN asset folder")
    parser.add_argument("--publish-only", action="store_true", help="copy an existing record (--out) into the asset folder")
    args = parser.parse_args(argv)
    if args.publish_only:
        publish(args.out)
        return 0

    import numpy as np

    from _timing import write_report
    from stylegan_edu import pretrained, viz
    from stylegan_edu._io import machine_info, png_bytes
    from stylegan_edu.callbacks import TimeBudget
    from stylegan_edu.data import load_fashion_mnist, to_unit_range
    from stylegan_edu.gan import train_mnist
    from stylegan_edu.stylegan import QualityMonitor, crop_to_28, pad_to_32
    from stylegan_edu.training import TrainConfig

    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    sg_info = pretrained.stylegan_generator_info()
    minutes = args.minutes if args.minutes is not None else sg_info["train_seconds"] / 60
    images, _ = load_fashion_mnist("train")
    if args.limit:
        images = images[:args.limit]
    x28 = to_unit_range(images)[..., None]  # (N, 28, 28, 1)
    x32 = pad_to_32(images)  # (N, 32, 32, 1)

    timing = step_timing(x32, x28, rounds=args.timing_rounds, steps=args.timing_steps)

    config = TrainConfig(epochs=1000, seed=0)  # the DCGAN recipe; the time budget ends the run
    timing_file = Path(args.work, "train_seconds.json")  # the time used so far, for --resume
    budget = TimeBudget(minutes * 60, TimeBudget.recorded(timing_file) if args.resume else 0.0, record=timing_file)
    monitor = QualityMonitor(every=1, num_samples=2000, seed=config.seed)
    cpu0, loads = time.process_time(), []

    class Log:
        def __new__(cls):
            import keras

            class _Log(keras.callbacks.Callback):
                order = 20  # after the quality monitor has logged
                def on_epoch_end(self, epoch, logs=None):
                    loads.append(os.getloadavg()[0])
                    print(f"epoch {epoch + 1}: {budget.elapsed / 60:.1f} min, FID(2k) {(logs or {}).get('fid', float('nan')):.2f}",
                          flush=True)

            return _Log()

    gan = train_mnist(config, args.work, images=x28, resume=args.resume, progress=False,
                      extra_callbacks=[budget, monitor, Log()])
    train_seconds, cpu_seconds = budget.elapsed, time.process_time() - cpu0
    steps = int(gan.g_optimizer.iterations)
    print(f"DCGAN: {steps} steps in {train_seconds / 60:.1f} min; measuring ...", flush=True)

    dcgan_quality, dcgan_images = quality(lambda z: gan.generate(z), gan.latent_dim, args.eval_samples)
    sg = pretrained.stylegan_generator("fashion_mnist")
    sg_quality, _ = quality(lambda z: crop_to_28(np.asarray(sg(z, training=False))), sg.latent_dim, args.eval_samples)
    Path(args.out + "_samples.png").write_bytes(png_bytes(viz.image_grid(dcgan_images[:64], ncols=8), zoom=2))

    record = {
        "started": started,
        "machine": machine_info(load_average_during_dcgan_training=loads),
        "budget_minutes": minutes,
        "step_timing": timing,
        "dcgan": {
            "train_config": dataclasses.asdict(config),
            "steps": steps,
            "images_seen": steps * config.batch_size,
            "train_seconds": train_seconds,
            "cpu_seconds_this_process": cpu_seconds,
            "history": gan.state.history,
            "quality": dcgan_quality,
        },
        "stylegan": {
            "steps": sg_info["steps"],
            "images_seen": sg_info["steps"] * sg_info["train_config"]["batch_size"],
            "train_seconds": sg_info["train_seconds"],
            "history": [{k: h[k] for k in ("epoch", "fid", "kid") if k in h} for h in sg_info["history"]],
            "quality": sg_quality,
        },
    }
    record["fid_ratio"] = sg_quality["fid"] / dcgan_quality["fid"]

    def shares(q):
        v = list(q["class_shares"].values())
        return f"{100 * min(v):.1f}–{100 * max(v):.1f}%"

    t, d, s = timing, record["dcgan"], record["stylegan"]
    lines = [
        "# Style-based generator against the DCGAN recipe, same data, same training time",
        "",
        f"Machine: {record['machine']['platform']}, {record['machine']['cpu_count']} CPU cores, GPUs: "
        f"{record['machine']['gpus'] or 'none'}, TensorFlow {record['machine'].get('tensorflow')}, Keras "
        f"{record['machine'].get('keras')}. Run started {started}.",
        "",
        "Data: the 60,000 Fashion-MNIST training images (the StyleGAN sees them padded to 32 x 32, the DCGAN at 28 x 28). "
        f"Budget: {minutes:.1f} min of wall-clock training each (the StyleGAN's recorded run, "
        "`stylegan_edu/assets/stylegan_generator/`; the DCGAN's in this run), per-epoch FID/KID on 2,000 samples included. "
        f"Quality: `metrics.sample_quality`, {args.eval_samples:,} samples (z seed {EVAL_SEED}) against the 10,000 test-split "
        f"images, for both models in this run. Step times: both trainers alternating in this run, median of {args.timing_rounds} rounds.",
        "",
        f"The machine is shared: load average during the DCGAN's training {min(loads or [0]):.1f}–{max(loads or [0]):.1f} "
        f"(the StyleGAN's run recorded {sg_info['machine'].get('load_average')} at its end). Wall-clock budgets on a shared "
        "machine favour whichever run had the quieter machine; the step-time ratio below does not depend on that.",
        "",
        "| | StyleGAN (shipped) | DCGAN recipe |",
        "|---|---:|---:|",
        f"| generator parameters | {t['stylegan']['generator_params']:,} | {t['dcgan']['generator_params']:,} |",
        f"| discriminator parameters | {t['stylegan']['discriminator_params']:,} | {t['dcgan']['discriminator_params']:,} |",
        f"| batch | {t['stylegan']['batch_size']} | {t['dcgan']['batch_size']} |",
        f"| ms/step (this run) | {t['stylegan']['ms_per_step']:.1f} | {t['dcgan']['ms_per_step']:.1f} |",
        f"| training time, min | {s['train_seconds'] / 60:.1f} | {d['train_seconds'] / 60:.1f} |",
        f"| steps | {s['steps']:,} | {d['steps']:,} |",
        f"| images seen | {s['images_seen']:,} | {d['images_seen']:,} |",
        f"| **FID** ({args.eval_samples:,}) | **{s['quality']['fid']:.2f}** | **{d['quality']['fid']:.2f}** |",
        f"| **KID** ({args.eval_samples:,}) | **{s['quality']['kid']:.4f}** | **{d['quality']['kid']:.4f}** |",
        f"| mean classifier confidence | {s['quality']['mean_confidence']:.3f} | {d['quality']['mean_confidence']:.3f} |",
        f"| class shares (min–max) | {shares(s['quality'])} | {shares(d['quality'])} |",
        "",
        f"FID ratio StyleGAN / DCGAN: **{record['fid_ratio']:.2f}** (goal: at most 0.5).",
        "",
        "FID on 2,000 samples after each epoch (biased upwards against the 10k numbers above):",
        "",
        "| epoch | DCGAN FID | DCGAN KID |",
        "|---:|---:|---:|",
        *[f"| {h['epoch']} | {h.get('fid', float('nan')):.2f} | {h.get('kid', float('nan')):.4f} |" for h in d["history"]],
        "",
        "| epoch | StyleGAN FID | StyleGAN KID |",
        "|---:|---:|---:|",
        *[f"| {h['epoch']} | {h.get('fid', float('nan')):.2f} | {h.get('kid', float('nan')):.4f} |" for h in s["history"]],
        "",
        f"An epoch is {len(x28) // t['dcgan']['batch_size']:,} DCGAN steps or {len(x32) // t['stylegan']['batch_size']:,} "
        "StyleGAN steps; the last epoch of each run may be partial.",
        "",
        "Rerun: `STYLEGAN_EDU_DATA=../shared/data nice -n 5 .venv/bin/python benchmarks/stylegan_vs_dcgan.py`",
    ]
    write_report(args.out, record, lines)
    if not args.no_publish:
        publish(args.out)
    return 0


def publish(prefix):
    """Copy the record and the DCGAN samples next to the shipped StyleGAN (``pretrained.stylegan_dcgan_comparison``)."""
    import shutil

    asset = ROOT / "stylegan_edu" / "assets" / "stylegan_generator"
    shutil.copyfile(prefix + ".json", asset / "dcgan_comparison.json")
    shutil.copyfile(prefix + "_samples.png", asset / "dcgan_samples.png")
    print(f"copied to {asset}/dcgan_comparison.json and dcgan_samples.png")


if __name__ == "__main__":
    sys.exit(main())
