"""Train the CLAHE generators that ship in ``stylegan_edu/assets/clahe_generator/`` (chapter 11).

Two variants, both a U-Net on (degraded crop, CLAHE of the clean photo) pairs
from the fixed training photos (``stylegan_edu.clahe.TRAIN_IMAGES``), trained
with the shared trainer (``stylegan_edu.conditional.ConditionalGAN``, a
subclass of ``stylegan_edu.training.GAN``):

* ``gan``: PatchGAN adversarial loss + L1 + the mixed loss (perceptual
  content, Gram style, TV), weights ``ConditionalLossConfig()``;
* ``l1``: the ablation, L1 to the target only (``L1_ONLY``), half the steps.

Then both are evaluated on the held-out photos (``EVAL_IMAGES``) against
identity, global histogram equalisation and classical CLAHE, and everything
is written to ``--out``: ``<variant>.weights.h5``, ``config.json``,
``history_<variant>.json``, ``metrics.json`` and ``metrics.md``.

Seeded and deterministic given the seed (up to oneDNN round-off). Usage::

    nice -n 5 python scripts/train_clahe_generator.py             # the shipped run
    python scripts/train_clahe_generator.py --quick --out /tmp/c  # a smoke test (seconds)
"""

import argparse
import dataclasses
import json
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "stylegan_edu", "assets", "clahe_generator")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=DEFAULT_OUT, help="where weights, config and metrics go (default: the package assets)")
    p.add_argument("--work", default=os.path.join(ROOT, "runs", "clahe_generator"),
                   help="checkpoint folder (default: runs/clahe_generator, git-ignored, outside the package)")
    p.add_argument("--variants", default="gan,l1", help="comma-separated: gan, l1")
    p.add_argument("--steps", type=int, default=600, help="generator steps of the gan variant (l1 gets half)")
    p.add_argument("--steps-per-epoch", type=int, default=50, help="steps between checkpoints")
    p.add_argument("--batch", type=int, default=8, help="pairs per step")
    p.add_argument("--patch", type=int, default=64, choices=(64, 128), help="crop size")
    p.add_argument("--lr", type=float, default=1e-3, help="Adam learning rate of both networks")
    p.add_argument("--clean-fraction", type=float, default=0.5, help="share of crops left undegraded")
    p.add_argument("--max-strength", type=float, default=0.4, help="largest degradation strength")
    p.add_argument("--seed", type=int, default=0, help="seeds weights, crops, degradations")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoints in --work")
    p.add_argument("--quick", action="store_true", help="a few steps, tiny images: checks the script runs")
    return p.parse_args(argv)


def train_variant(variant, args, photos, work):
    import keras

    from stylegan_edu import callbacks as cbs
    from stylegan_edu.clahe import clahe_pairs
    from stylegan_edu.conditional import L1_ONLY, ConditionalGAN, ConditionalLossConfig
    from stylegan_edu.models import PatchGANConfig, make_patchgan_discriminator, make_unet_generator
    from stylegan_edu.conditional import GENERATOR_CONFIG
    from stylegan_edu.training import TrainConfig

    loss_config = ConditionalLossConfig() if variant == "gan" else L1_ONLY
    steps = args.steps if variant == "gan" else max(1, args.steps // 2)
    spe = min(args.steps_per_epoch, steps)
    epochs = max(1, steps // spe)
    config = TrainConfig(epochs=epochs, batch_size=args.batch, learning_rate=args.lr, seed=args.seed)
    keras.utils.set_random_seed(config.seed)
    G = make_unet_generator(GENERATOR_CONFIG)
    D = make_patchgan_discriminator(PatchGANConfig(seed=config.seed))
    gan = ConditionalGAN(G, D, loss_config=loss_config, seed=config.seed)
    gan.compile(keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1),
                keras.optimizers.Adam(config.learning_rate, beta_1=config.beta_1))
    ckpt = cbs.Checkpoint(os.path.join(work, variant))
    if args.resume:
        ckpt.restore(gan)  # raises if there is no checkpoint; fit then starts at gan.epochs_done
    # The pair stream restarts from a seed that depends on the first epoch of this call,
    # so a resumed run sees fresh (still seeded) pairs instead of repeating the first ones.
    first_epoch = gan.epochs_done
    ds = clahe_pairs(photos, patch=args.patch, batch_size=config.batch_size, clean_fraction=args.clean_fraction,
                     max_strength=args.max_strength, seed=config.seed + 1000 * first_epoch)
    keys = ("d_loss", "g_adv", "g_l1", "g_content", "g_style", "g_tv")
    t0 = time.time()
    gan.fit(ds, epochs=config.epochs, steps_per_epoch=spe, callbacks=[ckpt, cbs.ProgressBar(keys=keys)],
            verbose=0)
    seconds = time.time() - t0
    G.save_weights(os.path.join(args.out, f"{variant}.weights.h5"))
    with open(os.path.join(args.out, f"history_{variant}.json"), "w") as f:
        json.dump(gan.history_records, f, indent=1, default=float)
    return G, {"steps": epochs * spe, "epochs": epochs, "steps_per_epoch": spe, "seconds_this_call": round(seconds, 1),
               "loss_config": {k: v for k, v in dataclasses.asdict(loss_config).items()},
               "train_config": dataclasses.asdict(config)}


def evaluate_all(models, args):
    import numpy as np

    from stylegan_edu import clahe as C

    methods = {"identity": lambda x: x, "global HE": C.global_equalize}
    for name, G in models.items():
        methods[{"l1": "L1-only U-Net", "gan": "full GAN"}[name]] = (lambda G: lambda x: C.enhance(x, model=G))(G)
    methods["classical CLAHE"] = C.clahe_target
    photos = C.load_photos(C.EVAL_IMAGES, max_side=256 if args.quick else 512)
    results = {}
    for setting in ("clean", "degraded"):
        rows = C.evaluate(methods, C.evaluation_pairs(photos, setting))
        results[setting] = rows
    return results


def markdown(results):
    lines = []
    for setting, rows in results.items():
        images = list(dict.fromkeys(r["image"] for r in rows))
        methods = list(dict.fromkeys(r["method"] for r in rows))
        lines += [f"### Input: {setting}", "", "| method | " + " | ".join(images) + " |",
                  "|---|" + "---|" * len(images)]
        for m in methods:
            cells = []
            for im in images:
                r = next(r for r in rows if r["method"] == m and r["image"] == im)
                p = "inf" if r["psnr"] == float("inf") else f"{r['psnr']:.2f}"
                cells.append(f"{p} dB / {r['ssim']:.3f}")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.quick:
        args.steps, args.steps_per_epoch = 2, 1
    os.makedirs(args.out, exist_ok=True)
    work = args.work
    import tensorflow as tf

    from stylegan_edu import clahe as C
    from stylegan_edu.conditional import GENERATOR_CONFIG

    photos = C.load_photos(C.TRAIN_IMAGES, max_side=256 if args.quick else 512)
    record = {"machine": {"platform": platform.platform(), "processor": platform.processor(), "cpus": os.cpu_count(),
                          "python": sys.version.split()[0], "tensorflow": tf.__version__},
              "train_images": list(C.TRAIN_IMAGES), "eval_images": list(C.EVAL_IMAGES),
              "target": dataclasses.asdict(C.TARGET), "generator": dataclasses.asdict(GENERATOR_CONFIG),
              "patch": args.patch, "clean_fraction": args.clean_fraction, "max_strength": args.max_strength,
              "seed": args.seed, "variants": {}}
    models = {}
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        if variant not in ("gan", "l1"):
            raise SystemExit(f"unknown variant {variant!r}: use gan and/or l1")
        print(f"== training {variant} ==", flush=True)
        models[variant], record["variants"][variant] = train_variant(variant, args, photos, work)
    results = evaluate_all(models, args)
    record["metrics"] = results
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump({k: v for k, v in record.items() if k != "metrics"}, f, indent=1)
    clean = {k: [{**r, "psnr": None if r["psnr"] == float("inf") else r["psnr"]} for r in rows]
             for k, rows in results.items()}  # JSON has no infinity: identical images get psnr null
    with open(os.path.join(args.out, "metrics.json"), "w") as f:
        json.dump(clean, f, indent=1)
    table = markdown(results)
    with open(os.path.join(args.out, "metrics.md"), "w") as f:
        f.write(table)
    print(table)


if __name__ == "__main__":
    main()
