"""Time to quality: our default GAN recipe against the TensorFlow DCGAN tutorial's.

Both recipes train on the same data, the training digits of
``stylegan_edu.data.mnist_gan_split()`` (offline: 8,000 of the MNIST test digits),
on this machine, and are measured against the held-out digits (offline: the other 2,000). Every ``--snapshot-every`` steps
the generator's weights are saved together with the training time spent so
far (wall clock and the process's CPU time; snapshots, data loading and FID
are not counted). Afterwards each snapshot's MNIST-FID is computed on the same
fixed noise batch (``stylegan_edu.metrics.mnist_fid``).

The result is the time our recipe needs to reach the FID that the tutorial's
recipe has at the end of its budget (>= 2,000 steps at batch 256), as a ratio
of the tutorial's time, and, because the tutorial's FID oscillates, the time
our recipe needs to reach the tutorial's *best* FID, as a ratio of the time
the tutorial needed to reach it. Goal: <= 10 %.

Recipes:

* ``tutorial``: https://www.tensorflow.org/tutorials/generative/dcgan, its
  published architecture (generator 2,330,944 parameters, discriminator
  212,865; asserted below), Adam(1e-4) for both, batch 256, one shared
  forward pass per step, BCE from logits.
* ``ours``: ``stylegan_edu.gan.GAN`` with the default
  ``GeneratorConfig``/``DiscriminatorConfig``/``TrainConfig``.

Usage::

    python benchmarks/time_to_quality.py                   # the real run (long)
    python benchmarks/time_to_quality.py --tiny --out /tmp/ttq   # seconds: checks it starts
    python benchmarks/time_to_quality.py --phase evaluate   # (re)compute FIDs of saved snapshots

The script writes ``time_to_quality.json`` (and ``time_to_quality.md``) into
``--out`` after every snapshot, so an interrupted run keeps what it reached.
This is a benchmark, not a test: CI only runs ``--tiny``.
"""

import argparse
import dataclasses
import json
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

from stylegan_edu._io import atomic_write, machine_info  # noqa: E402

HERE = Path(__file__).resolve().parent
TUTORIAL_URL = "https://www.tensorflow.org/tutorials/generative/dcgan"
TUTORIAL_G_PARAMS = 2_330_944  # published in the tutorial's model summaries
TUTORIAL_D_PARAMS = 212_865


@dataclasses.dataclass(frozen=True)
class Budget:
    tutorial_steps: int = 2000  # the issue: at least 2,000 steps at batch 256
    ours_max_cpu_fraction: float = 1.0  # ours stops after this fraction of the tutorial's training CPU time
    ours_max_steps: int = 100_000  # a safety cap on ours
    snapshot_every: int = 100  # tutorial steps between snapshots
    ours_snapshot_every: int = 50  # our steps between snapshots (our steps are cheaper: batch 64, smaller models)
    ours_max_cpu_s: float = 0.0  # > 0: ours stops after this much training CPU time (when run on its own)
    fid_images: int = 2000  # generated images per FID evaluation (same for every snapshot)
    seed: int = 0  # data order, noise, initial weights


TINY = Budget(tutorial_steps=2, ours_max_steps=2, snapshot_every=1, ours_snapshot_every=1, fid_images=64)


# ---------------------------------------------------------------------------
# The tutorial's recipe, reproduced exactly
# ---------------------------------------------------------------------------


def tutorial_generator():
    """The tutorial's ``make_generator_model()``: 2,330,944 parameters."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((100,)),
            layers.Dense(7 * 7 * 256, use_bias=False),
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Reshape((7, 7, 256)),  # (B, 7, 7, 256)
            layers.Conv2DTranspose(128, (5, 5), strides=(1, 1), padding="same", use_bias=False),  # (B, 7, 7, 128)
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(64, (5, 5), strides=(2, 2), padding="same", use_bias=False),  # (B, 14, 14, 64)
            layers.BatchNormalization(),
            layers.LeakyReLU(),
            layers.Conv2DTranspose(1, (5, 5), strides=(2, 2), padding="same", use_bias=False, activation="tanh"),  # (B, 28, 28, 1)
        ],
        name="tutorial_generator",
    )


def tutorial_discriminator():
    """The tutorial's ``make_discriminator_model()``: 212,865 parameters."""
    import keras
    from keras import layers

    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(64, (5, 5), strides=(2, 2), padding="same"),  # (B, 14, 14, 64)
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Conv2D(128, (5, 5), strides=(2, 2), padding="same"),  # (B, 7, 7, 128)
            layers.LeakyReLU(),
            layers.Dropout(0.3),
            layers.Flatten(),
            layers.Dense(1),  # (B, 1) logits
        ],
        name="tutorial_discriminator",
    )


class TutorialRecipe:
    name = "tutorial"
    batch_size = 256
    latent_dim = 100

    def __init__(self, seed):
        import keras
        import tensorflow as tf

        keras.utils.set_random_seed(seed)
        self.generator = tutorial_generator()
        self.discriminator = tutorial_discriminator()
        n_g, n_d = self.generator.count_params(), self.discriminator.count_params()
        assert n_g == TUTORIAL_G_PARAMS, f"tutorial generator has {n_g} parameters, expected {TUTORIAL_G_PARAMS}"
        assert n_d == TUTORIAL_D_PARAMS, f"tutorial discriminator has {n_d} parameters, expected {TUTORIAL_D_PARAMS}"
        self.g_opt = keras.optimizers.Adam(1e-4)
        self.d_opt = keras.optimizers.Adam(1e-4)
        bce = keras.losses.BinaryCrossentropy(from_logits=True)
        g, d = self.generator, self.discriminator

        @tf.function
        def train_step(images):  # the tutorial's train_step, verbatim in substance
            noise = tf.random.normal([self.batch_size, self.latent_dim])
            with tf.GradientTape() as gen_tape, tf.GradientTape() as disc_tape:
                generated = g(noise, training=True)
                real_output = d(images, training=True)
                fake_output = d(generated, training=True)
                gen_loss = bce(tf.ones_like(fake_output), fake_output)
                disc_loss = bce(tf.ones_like(real_output), real_output) + bce(tf.zeros_like(fake_output), fake_output)
            self.g_opt.apply_gradients(zip(gen_tape.gradient(gen_loss, g.trainable_variables), g.trainable_variables))
            self.d_opt.apply_gradients(zip(disc_tape.gradient(disc_loss, d.trainable_variables), d.trainable_variables))
            return gen_loss, disc_loss

        self._step = train_step

    def step(self, images):
        return self._step(images)

    def params(self):
        return {"generator": self.generator.count_params(), "discriminator": self.discriminator.count_params()}

    def settings(self):
        return {"source": TUTORIAL_URL, "optimizer": "Adam(1e-4), both", "batch_size": self.batch_size}


# ---------------------------------------------------------------------------
# Our default recipe
# ---------------------------------------------------------------------------


class OursRecipe:
    name = "ours"

    def __init__(self, seed):
        import tensorflow as tf

        from stylegan_edu import gan, training

        self.config = training.TrainConfig(seed=seed)  # the defaults, seeded
        self.batch_size = self.config.batch_size
        self.gan = gan.make_gan(self.config)  # default GeneratorConfig / DiscriminatorConfig, Adam(2e-4, 0.5)
        self.generator, self.discriminator = self.gan.generator, self.gan.discriminator
        self._step = tf.function(self.gan.train_step)  # the step GAN.fit runs, without callbacks

    def step(self, images):
        logs = self._step(images)  # running means since the start (the trackers are never reset here)
        return logs["g_loss"], logs["d_loss"]

    def params(self):
        return {"generator": self.generator.count_params(), "discriminator": self.discriminator.count_params()}

    def settings(self):
        c = self.config
        return {
            "source": "stylegan_edu.gan.GAN with default GeneratorConfig, DiscriminatorConfig, TrainConfig",
            "optimizer": f"Adam(lr={c.learning_rate}, beta_1={c.beta_1}), both; schedule {c.schedule!r}",
            "batch_size": c.batch_size,
        }


RECIPES = {"tutorial": TutorialRecipe, "ours": OursRecipe}


# ---------------------------------------------------------------------------
# Training with snapshots, then FID per snapshot
# ---------------------------------------------------------------------------


def _dataset(batch_size, seed):
    """The TensorFlow DCGAN tutorial's pipeline (shuffle buffer, batch), repeated: the same for both recipes."""
    import tensorflow as tf

    from stylegan_edu.data import mnist_gan_split, to_unit_range

    images, _, _ = mnist_gan_split()  # the training digits; FID compares with the held-out ones
    x = to_unit_range(images)[..., None]  # (N, 28, 28, 1) in [-1, 1]
    ds = tf.data.Dataset.from_tensor_slices(x).shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
    return ds.batch(batch_size, drop_remainder=True).prefetch(tf.data.AUTOTUNE).repeat(), len(images)


def train(recipe_name, budget, snap_dir, results, save, stop_cpu_s=None):
    """Train one recipe, saving the generator every snapshot interval."""
    recipe = RECIPES[recipe_name](budget.seed)
    data, n_images = _dataset(recipe.batch_size, budget.seed)
    results["data"] = {"split": "all", "images": n_images}
    run = results["runs"].setdefault(recipe_name, {})
    run.update(params=recipe.params(), settings=recipe.settings(), batch_size=recipe.batch_size, snapshots=[])
    rdir = snap_dir / recipe_name
    rdir.mkdir(parents=True, exist_ok=True)
    it = iter(data)
    recipe.step(next(it))  # trace the tf.function outside the clock (both recipes alike)
    wall = cpu = 0.0
    step = 0
    max_steps = budget.tutorial_steps if recipe_name == "tutorial" else budget.ours_max_steps
    every = budget.snapshot_every if recipe_name == "tutorial" else budget.ours_snapshot_every
    while step < max_steps:
        batch = next(it)
        w0, c0 = time.perf_counter(), time.process_time()
        g_loss, d_loss = recipe.step(batch)
        g_loss = float(g_loss)  # wait for the step to finish
        wall += time.perf_counter() - w0
        cpu += time.process_time() - c0
        step += 1
        due = step % every == 0
        done = step >= max_steps or (stop_cpu_s is not None and cpu >= stop_cpu_s)
        if due or done:
            path = rdir / f"step_{step:06d}.weights.h5"
            recipe.generator.save_weights(path)
            run["snapshots"].append(
                {"step": step, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "g_loss": round(g_loss, 4), "d_loss": round(float(d_loss), 4), "weights": str(path), "fid": None}
            )
            run.update(steps=step, wall_s=round(wall, 2), cpu_s=round(cpu, 2), finished=done)
            save(results)
            print(f"[{recipe_name}] step {step}: {wall:.1f} s wall, {cpu:.1f} s CPU, g_loss {g_loss:.3f}", flush=True)
        if done:
            break
    return run


def evaluate(results, budget, save):
    """Compute the MNIST-FID of every snapshot that has none yet."""
    import keras

    from stylegan_edu.metrics import mnist_fid

    z = np.random.default_rng(budget.seed + 12345).standard_normal((budget.fid_images, 100)).astype("float32")  # fixed noise
    for name, run in results["runs"].items():
        generator = RECIPES_G[name]()
        for snap in run.get("snapshots", []):
            if snap.get("fid") is not None or not Path(snap["weights"]).exists():
                continue
            generator.load_weights(snap["weights"])
            images = np.concatenate([np.asarray(generator(z[i : i + 500], training=False)) for i in range(0, len(z), 500)])
            snap["fid"] = round(float(mnist_fid(images)), 3)
            print(f"[{name}] step {snap['step']}: FID {snap['fid']}", flush=True)
            save(results)
    del keras


def _ours_generator():
    from stylegan_edu.models import GeneratorConfig, make_generator

    return make_generator(GeneratorConfig())


RECIPES_G = {"tutorial": tutorial_generator, "ours": _ours_generator}


def real_floor(results, budget):
    """FID of `fid_images` real training digits against the held-out reference: the floor at this sample size."""
    from stylegan_edu.data import mnist_gan_split, to_unit_range
    from stylegan_edu.metrics import mnist_fid

    images, _, _ = mnist_gan_split()
    idx = np.random.default_rng(budget.seed).permutation(len(images))[: budget.fid_images]
    results["real_data_fid_floor"] = round(float(mnist_fid(to_unit_range(images[idx])[..., None])), 3)


def summarise(results):
    """Time for ours to reach the tutorial's final FID, as a ratio of the tutorial's time."""
    runs = results["runs"]
    tut = [s for s in runs.get("tutorial", {}).get("snapshots", []) if s.get("fid") is not None]
    ours = [s for s in runs.get("ours", {}).get("snapshots", []) if s.get("fid") is not None]
    summary = {}
    if tut:
        target = tut[-1]
        summary.update(
            tutorial_steps=target["step"],
            tutorial_final_fid=target["fid"],
            tutorial_wall_s=target["wall_s"],
            tutorial_cpu_s=target["cpu_s"],
            tutorial_budget_complete=target["step"] >= results["budget"]["tutorial_steps"],
        )
        hit = next((s for s in ours if s["fid"] <= target["fid"]), None)
        if hit is not None:
            summary.update(
                ours_steps_to_target=hit["step"],
                ours_wall_s_to_target=hit["wall_s"],
                ours_cpu_s_to_target=hit["cpu_s"],
                ratio_wall=round(hit["wall_s"] / target["wall_s"], 4),
                ratio_cpu=round(hit["cpu_s"] / target["cpu_s"], 4),
            )
        elif ours:
            summary.update(ours_reached_target=False, ours_best_fid=min(s["fid"] for s in ours), ours_cpu_s_total=ours[-1]["cpu_s"])
        # GAN FIDs oscillate from snapshot to snapshot: also compare with the tutorial's best
        best = min(tut, key=lambda s: s["fid"])
        summary.update(tutorial_best_fid=best["fid"], tutorial_best_step=best["step"], tutorial_best_cpu_s=best["cpu_s"])
        hit_best = next((s for s in ours if s["fid"] <= best["fid"]), None)
        if hit_best is not None:
            summary.update(ours_cpu_s_to_tutorial_best=hit_best["cpu_s"],
                           ratio_cpu_to_tutorial_best=round(hit_best["cpu_s"] / best["cpu_s"], 4))
        summary["goal"] = "ratio_cpu_to_tutorial_best <= 0.10"
    results["summary"] = summary
    return summary


def markdown(results):
    m, s, b = results["machine"], results.get("summary", {}), results["budget"]
    lines = [
        "# Time to quality: our recipe against the TensorFlow DCGAN tutorial",
        "",
        f"Machine: {m['platform']}, {m['cpu_count']} CPU cores ({m['processor']}), "
        f"{len(m['gpus'])} GPU(s), Python {m['python']}, TensorFlow {m['tensorflow']}.",
        f"Data: the training digits of `mnist_gan_split()`, {results.get('data', {}).get('images', '?')} images; FID against the held-out digits. "
        f"FID: `stylegan_edu.metrics.mnist_fid` on {b['fid_images']} generated images from a fixed noise batch "
        f"(real-data floor at that sample size: {results.get('real_data_fid_floor', 'n/a')}).",
        f"Times are training time only (no snapshots or FID), as wall clock and as the process's CPU time; "
        f"the machine is shared, so CPU time is the steadier clock. Run started {results['started']}.",
        "",
    ]
    if results.get("note"):
        lines += [f"**Note.** {results['note']}", ""]
    for name, run in results["runs"].items():
        p = run.get("params", {})
        lines += [
            f"## {name}: {run.get('settings', {}).get('source', '')}",
            "",
            f"Generator {p.get('generator', 0):,} parameters, discriminator {p.get('discriminator', 0):,}; "
            f"{run.get('settings', {}).get('optimizer', '')}; batch {run.get('batch_size')}. "
            f"Reached step {run.get('steps', 0)} ({'finished' if run.get('finished') else 'stopped before the end of its budget'}).",
            "",
            "| step | images seen | wall s | CPU s | FID |",
            "|---:|---:|---:|---:|---:|",
        ]
        for snap in run.get("snapshots", []):
            fid = "—" if snap.get("fid") is None else f"{snap['fid']:.2f}"
            lines.append(f"| {snap['step']} | {snap['step'] * run['batch_size']:,} | {snap['wall_s']:.1f} | {snap['cpu_s']:.1f} | {fid} |")
        lines.append("")
    lines += ["## Result", ""]
    if "ratio_cpu" in s:
        lines += [
            f"The tutorial's recipe reaches FID {s['tutorial_final_fid']:.2f} after {s['tutorial_steps']} steps "
            f"({s['tutorial_wall_s']:.0f} s wall, {s['tutorial_cpu_s']:.0f} s CPU)"
            + ("" if s["tutorial_budget_complete"] else f" (its budget of {b['tutorial_steps']} steps was NOT completed)")
            + ".",
            f"Ours reaches it after {s['ours_steps_to_target']} steps: {s['ours_wall_s_to_target']:.0f} s wall, "
            f"{s['ours_cpu_s_to_target']:.0f} s CPU.",
            "",
            "| clock | ratio ours / tutorial | goal |",
            "|---|---:|---:|",
            f"| wall | {s['ratio_wall']:.1%} | |",
            f"| CPU | {s['ratio_cpu']:.1%} | |",
        ]
        if "ratio_cpu_to_tutorial_best" in s:
            lines += [
                "",
                f"GAN FIDs oscillate between snapshots. Against the tutorial's *best* FID of its whole run, "
                f"{s['tutorial_best_fid']:.2f} (step {s['tutorial_best_step']}, after {s['tutorial_best_cpu_s']:.0f} s CPU), ours needs "
                f"{s['ours_cpu_s_to_tutorial_best']:.0f} s CPU: **{s['ratio_cpu_to_tutorial_best']:.1%}** of the tutorial's time to it "
                "(goal: ≤ 10%).",
            ]
    elif s.get("ours_reached_target") is False:
        lines.append(
            f"Ours did not reach the tutorial's final FID {s['tutorial_final_fid']:.2f} within its time "
            f"(best {s['ours_best_fid']:.2f} after {s['ours_cpu_s_total']:.0f} s CPU)."
        )
    else:
        lines.append("Not enough evaluated snapshots for a result yet.")
    return "\n".join(lines) + "\n"


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tiny", action="store_true", help="a few steps and a small FID sample: checks that the script runs (seconds)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for time_to_quality.json/.md (default: benchmarks/)")
    parser.add_argument(
        "--snapshots", type=Path, default=None, help="folder for generator snapshots (default: <tmp>/stylegan_edu_ttq_snapshots)"
    )
    parser.add_argument("--phase", choices=("all", "train", "evaluate"), default="all")
    parser.add_argument("--recipes", default="tutorial,ours", help="comma-separated, in order (default: tutorial,ours)")
    parser.add_argument("--tutorial-steps", type=int, default=None, help="tutorial budget in steps (default 2000)")
    parser.add_argument("--ours-cpu-fraction", type=float, default=None, help="ours trains for at most this fraction of the tutorial's CPU time (default 1.0)")
    parser.add_argument("--ours-max-cpu-s", type=float, default=None, help="ours trains for at most this many CPU seconds")
    parser.add_argument("--fid-images", type=int, default=None)
    parser.add_argument("--note", default=None, help="a remark stored with the results and shown in the Markdown (e.g. how a run was cut short)")
    parser.add_argument("--merge", type=Path, action="append", default=[], help="add the runs of another results JSON (a run trained in a separate process)")
    args = parser.parse_args(argv)

    budget = TINY if args.tiny else Budget()
    overrides = {
        k: v
        for k, v in (("tutorial_steps", args.tutorial_steps), ("ours_max_cpu_fraction", args.ours_cpu_fraction), ("fid_images", args.fid_images), ("ours_max_cpu_s", args.ours_max_cpu_s))
        if v is not None
    }
    budget = dataclasses.replace(budget, **overrides)
    if budget.tutorial_steps < 2000 and not args.tiny:
        print(f"note: tutorial budget {budget.tutorial_steps} < 2000 steps: not the issue's benchmark", file=sys.stderr)
    args.out.mkdir(parents=True, exist_ok=True)
    snap_dir = args.snapshots or Path(tempfile.gettempdir()) / ("stylegan_edu_ttq_tiny" if args.tiny else "stylegan_edu_ttq_snapshots")
    json_path, md_path = args.out / "time_to_quality.json", args.out / "time_to_quality.md"

    if json_path.exists() and args.phase == "evaluate":
        results = json.loads(json_path.read_text())
    elif json_path.exists() and args.phase == "train" and set(args.recipes.split(",")) == {"ours"}:
        results = json.loads(json_path.read_text())  # add ours to a finished tutorial run
    else:
        import tensorflow  # noqa: F401 - imported first, so that machine_info() lists its GPUs

        results = {"started": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "machine": machine_info(), "budget": dataclasses.asdict(budget), "runs": {}}

    for other in args.merge:
        extra = json.loads(other.read_text())
        for name, run in extra["runs"].items():
            results["runs"][name] = run
        results.setdefault("merged_from", []).append({"file": other.name, "started": extra["started"], "budget": extra["budget"]})

    def save(res):
        summarise(res)
        atomic_write(json_path, json.dumps(res, indent=1))
        md_path.write_text(markdown(res))

    if args.phase in ("all", "train"):
        for name in args.recipes.split(","):
            stop = None
            if name == "ours" and budget.ours_max_cpu_s > 0:
                stop = budget.ours_max_cpu_s
            elif name == "ours" and "tutorial" in results["runs"]:
                stop = results["runs"]["tutorial"].get("cpu_s", 0) * budget.ours_max_cpu_fraction or None
            train(name, budget, snap_dir, results, save, stop_cpu_s=stop)
    if args.note:
        results["note"] = args.note
    if args.phase in ("all", "evaluate"):
        results["budget"]["fid_images"] = budget.fid_images
        real_floor(results, budget)
        evaluate(results, budget, save)
    save(results)
    print(markdown(results))
    return results


if __name__ == "__main__":
    main()
