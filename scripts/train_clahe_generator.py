"""Train the CLAHE generators that ship in ``stylegan_edu/assets/clahe_generator/`` (chapter 11).

Three variants, all U-Nets trained on (degraded crop, CLAHE of the clean
crop) pairs from the fixed training photos (``stylegan_edu.clahe.TRAIN_IMAGES``,
``clahe.clahe_pairs``) with the shared trainer
(``stylegan_edu.conditional.ConditionalGAN``, a subclass of
``stylegan_edu.training.AdversarialTrainer``):

* ``gan``: the shipped model. The tone-curve U-Net
  (``clahe.GENERATOR_CONFIG``), PatchGAN adversarial loss + L1 + the
  mixed loss (perceptual content, Gram style, TV), ``ConditionalLossConfig()``;
* ``l1``: the loss ablation, the same U-Net with L1 to the target only (``L1_ONLY``);
* ``plain_l1``: the architecture ablation, the plain residual U-Net
  (``clahe.PLAIN_GENERATOR_CONFIG``) with L1 only.

All get the same steps, batch and cosine learning-rate schedule. Then they
are evaluated on the held-out photos (``EVAL_IMAGES``) against identity,
global histogram equalisation and classical CLAHE, and everything is written
to ``--out``: ``<variant>.weights.h5`` (``gan`` and ``l1``; the ``plain_l1`` weights go to
``--work``, so that the shipped weights stay under 10 MB), ``config.json``,
``history_<variant>.json``, ``metrics.json``, ``metrics.md`` and ``SHA256SUMS`` (the
checksums :mod:`stylegan_edu.pretrained` checks the shipped weights against).

Seeded and deterministic given the seed (up to oneDNN round-off). Usage::

    nice -n 5 python scripts/train_clahe_generator.py             # the shipped run
    python scripts/train_clahe_generator.py --quick --out /tmp/c  # a smoke test (seconds)
"""

import argparse
import dataclasses
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "stylegan_edu", "assets", "clahe_generator")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=DEFAULT_OUT, help="where weights, config and metrics go (default: the package assets)")
    p.add_argument("--work", default=os.path.join(ROOT, "runs", "clahe_generator"),
                   help="checkpoint folder (default: runs/clahe_generator, git-ignored, outside the package)")
    p.add_argument("--variants", default="gan,l1,plain_l1", help="comma-separated: gan, l1, plain_l1")
    p.add_argument("--steps", type=int, default=1000, help="generator steps of each variant")
    p.add_argument("--steps-per-epoch", type=int, default=50, help="steps between checkpoints")
    p.add_argument("--batch", type=int, default=8, help="pairs per step")
    p.add_argument("--patch", type=int, default=128, choices=(64, 128), help="crop size")
    p.add_argument("--target-from", default="image", choices=("image", "crop"),
                   help="target: CLAHE of each crop, or crops of each whole image's CLAHE")
    p.add_argument("--lr", type=float, default=1e-3, help="initial Adam learning rate of the gan variant (cosine decay)")
    p.add_argument("--l1-lr", type=float, default=5e-4,
                   help="initial learning rate of the L1-only variants (at 1e-3 the tone-curve U-Net's activations blew up)")
    p.add_argument("--reuse", default="", help="comma-separated variants to load from --out (weights and history) "
                                               "instead of training them again; they are evaluated with the others")
    p.add_argument("--clean-fraction", type=float, default=1.0, help="share of crops left undegraded")
    p.add_argument("--tone-fraction", type=float, default=0.0, help="share of photos re-exposed by clahe.random_tone")
    p.add_argument("--margin", type=int, default=32, help="border pixels of each crop left out of the loss")
    p.add_argument("--max-strength", type=float, default=0.4, help="largest degradation strength")
    p.add_argument("--seed", type=int, default=0, help="seeds weights, crops, degradations")
    p.add_argument("--resume", action="store_true", help="continue from the checkpoints in --work")
    p.add_argument("--quick", action="store_true", help="a few steps, tiny images: checks the script runs")
    return p.parse_args(argv)


def weights_path(variant, args):
    """Shipped variants' weights go to --out (the package), the plain U-Net's to --work (not shipped)."""
    from stylegan_edu.clahe import VARIANTS

    folder = args.out if variant in VARIANTS else args.work
    os.makedirs(folder, exist_ok=True)
    return os.path.join(folder, f"{variant}.weights.h5")


def train_variant(variant, args, photos, work, reuse=()):
    import keras

    from stylegan_edu import callbacks as cbs
    from stylegan_edu.clahe import clahe_pairs, generator_config_for
    from stylegan_edu.conditional import L1_ONLY, ConditionalGAN, ConditionalLossConfig
    from stylegan_edu.models import PatchGANConfig, make_patchgan_discriminator, make_unet_generator
    from stylegan_edu.training import TrainConfig

    loss_config = dataclasses.replace(ConditionalLossConfig() if variant == "gan" else L1_ONLY, margin=args.margin)
    steps = args.steps
    spe = min(args.steps_per_epoch, steps)
    epochs = max(1, steps // spe)
    lr = args.lr if variant == "gan" else args.l1_lr
    config = TrainConfig(epochs=epochs, batch_size=args.batch, learning_rate=lr, schedule="cosine", seed=args.seed)
    summary = {"generator": dataclasses.asdict(generator_config_for(variant)), "steps": epochs * spe, "epochs": epochs,
               "steps_per_epoch": spe, "loss_config": dataclasses.asdict(loss_config),
               "train_config": dataclasses.asdict(config)}
    if variant in reuse:
        G = make_unet_generator(generator_config_for(variant))
        G.load_weights(weights_path(variant, args))
        with open(os.path.join(args.out, f"history_{variant}.json")) as f:
            if len(json.load(f)) != epochs:
                raise SystemExit(f"--reuse {variant}: its history does not have {epochs} epochs; train it again")
        return G, {**summary, "seconds_this_call": None, "reused": True}
    keras.utils.set_random_seed(config.seed)
    G = make_unet_generator(generator_config_for(variant))
    D = make_patchgan_discriminator(PatchGANConfig(seed=config.seed))
    gan = ConditionalGAN(G, D, loss_config=loss_config, size_multiple=generator_config_for(variant).stride,
                         seed=config.seed)
    gan.compile(config, jit_compile=False)  # Adam(learning_rate, beta_1) for both networks, the cosine schedule
    ckpt = cbs.Checkpoint(os.path.join(work, variant))
    if args.resume:
        ckpt.restore(gan)  # raises if there is no checkpoint; fit then starts at gan.state.epochs_done
    # The pair stream restarts from a seed that depends on the first epoch of this call,
    # so a resumed run sees fresh (still seeded) pairs instead of repeating the first ones.
    first_epoch = gan.state.epochs_done
    ds = clahe_pairs(photos, patch=args.patch, batch_size=config.batch_size, clean_fraction=args.clean_fraction,
                     max_strength=args.max_strength, seed=config.seed + 1000 * first_epoch,
                     target_from=args.target_from, tone_fraction=args.tone_fraction)
    keys = ("d_loss", "g_adv", "g_l1", "g_content", "g_style", "g_tv")
    t0 = time.time()
    gan.fit(ds, epochs=config.epochs, steps_per_epoch=spe, callbacks=[ckpt, cbs.ProgressBar(keys=keys)],
            verbose=0)
    seconds = time.time() - t0
    G.save_weights(weights_path(variant, args))
    with open(os.path.join(args.out, f"history_{variant}.json"), "w") as f:
        json.dump(gan.state.history, f, indent=1, default=float)
    return G, {**summary, "seconds_this_call": round(seconds, 1)}


#: How each variant is called in the metrics tables.
METHOD_NAMES = {"plain_l1": "plain U-Net, L1", "l1": "tone-curve U-Net, L1", "gan": "full GAN"}


def evaluate_all(models, args):
    from stylegan_edu import clahe as C

    methods = {"identity": lambda x: x, "global HE": C.global_equalize}
    for name, G in sorted(models.items(), key=lambda kv: list(METHOD_NAMES).index(kv[0])):
        stride = C.generator_config_for(name).stride
        methods[METHOD_NAMES[name]] = (lambda G, stride: lambda x: C.enhance(x, model=G, stride=stride))(G, stride)
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
        args.patch, args.margin = 64, min(args.margin, 8)  # the photos are halved: 64-pixel crops fit them all
    os.makedirs(args.out, exist_ok=True)
    work = args.work
    import tensorflow as tf  # noqa: F401  (machine_info lists the GPUs TensorFlow sees)

    from stylegan_edu import clahe as C
    from stylegan_edu._io import machine_info

    photos = C.load_photos(C.TRAIN_IMAGES, max_side=256 if args.quick else 512)
    record = {"machine": machine_info(),
              "train_images": list(C.TRAIN_IMAGES), "eval_images": list(C.EVAL_IMAGES),
              "target": dataclasses.asdict(C.TARGET), "generator": dataclasses.asdict(C.GENERATOR_CONFIG),
              "patch": args.patch, "target_from": args.target_from, "tone_fraction": args.tone_fraction,
              "margin": args.margin, "clean_fraction": args.clean_fraction, "max_strength": args.max_strength,
              "seed": args.seed, "variants": {}}
    models = {}
    reuse = {v.strip() for v in args.reuse.split(",") if v.strip()}
    for variant in [v.strip() for v in args.variants.split(",") if v.strip()]:
        if variant not in METHOD_NAMES:
            raise SystemExit(f"unknown variant {variant!r}: use some of {', '.join(METHOD_NAMES)}")
        print(f"== {'loading' if variant in reuse else 'training'} {variant} ==", flush=True)
        models[variant], record["variants"][variant] = train_variant(variant, args, photos, work, reuse)
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
    from stylegan_edu.pretrained import write_checksums

    write_checksums(args.out)  # the SHA-256 of the shipped weights, checked when they are loaded
    print(table)


if __name__ == "__main__":
    main()
