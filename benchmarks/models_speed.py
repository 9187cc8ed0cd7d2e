"""Speed of the book's models: the DCGAN against the VGG-style generator and discriminator.

For each architecture (default configs of ``stylegan_edu.models``) it records the
parameter count, the multiply-adds per image (``multiply_adds``), the images per
second of a generator and a discriminator forward pass, and the GAN training
steps per second (one discriminator and one generator update, non-saturating
loss, Adam, as chapter 9's ``train_step``), all at batch 64 through
``tf.function`` after a warm-up (tracing is not timed). Compare the two
architectures as ratios measured in the same run: the absolute rates depend on
the machine and on its load, which is recorded.

Writes ``benchmarks/models_speed.json`` and ``benchmarks/models_speed.md``.

    python benchmarks/models_speed.py            # the recorded run (about a minute)
    python benchmarks/models_speed.py --quick    # a smoke test (seconds, writes to /tmp)
"""

import argparse
import json
import os
import platform
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _timing import rate as _rate  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="tiny timings, output to /tmp")
    p.add_argument("--out", default=None, help="output prefix (default benchmarks/models_speed)")
    args = p.parse_args(argv)

    import keras
    import numpy as np
    import tensorflow as tf

    from stylegan_edu import losses
    from stylegan_edu.models import (DiscriminatorConfig, GeneratorConfig, make_discriminator, make_generator,
                                     multiply_adds, sample_latent)

    batch = 64
    min_seconds = 0.2 if args.quick else 3.0
    x_real = np.random.default_rng(0).uniform(-1, 1, (batch, 28, 28, 1)).astype("float32")
    z = sample_latent(batch, 100, seed=0)
    results = []
    for arch in ("dcgan", "vgg"):
        g = make_generator(GeneratorConfig(architecture=arch, seed=0))
        d = make_discriminator(DiscriminatorConfig(architecture=arch, seed=0))
        g_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)
        d_opt = keras.optimizers.Adam(2e-4, beta_1=0.5)

        g_forward = tf.function(lambda z: g(z, training=False))
        d_forward = tf.function(lambda x: d(x, training=False))

        @tf.function
        def train_step(x, z):
            with tf.GradientTape() as d_tape:
                d_loss = losses.discriminator_loss(d(x, training=True), d(g(z, training=True), training=True))
            d_opt.apply_gradients(zip(d_tape.gradient(d_loss, d.trainable_weights), d.trainable_weights))
            with tf.GradientTape() as g_tape:
                g_loss = losses.generator_loss(d(g(z, training=True), training=True))
            g_opt.apply_gradients(zip(g_tape.gradient(g_loss, g.trainable_weights), g.trainable_weights))
            return d_loss, g_loss

        g_rate, g_reps = _rate(lambda: g_forward(z).numpy(), batch, min_seconds)
        d_rate, d_reps = _rate(lambda: d_forward(x_real).numpy(), batch, min_seconds)
        step_rate, step_reps = _rate(lambda: [t.numpy() for t in train_step(x_real, z)], 1, min_seconds)
        row = {
            "architecture": arch,
            "generator_params": g.count_params(),
            "discriminator_params": d.count_params(),
            "generator_multiply_adds": multiply_adds(g)[0],
            "discriminator_multiply_adds": multiply_adds(d)[0],
            "generator_images_per_s": g_rate,
            "discriminator_images_per_s": d_rate,
            "train_steps_per_s": step_rate,
            "repeats": {"generator": g_reps, "discriminator": d_reps, "train_step": step_reps},
        }
        results.append(row)
        print(f"{arch:>6}: G {g_rate:8.0f} img/s | D {d_rate:8.0f} img/s | GAN step {step_rate:6.2f}/s (batch {batch})")

    dc, vg = results
    ratios = {
        "generator_multiply_adds": vg["generator_multiply_adds"] / dc["generator_multiply_adds"],
        "generator_speed": dc["generator_images_per_s"] / vg["generator_images_per_s"],
        "discriminator_speed": dc["discriminator_images_per_s"] / vg["discriminator_images_per_s"],
        "train_step_speed": dc["train_steps_per_s"] / vg["train_steps_per_s"],
    }
    print("DCGAN / VGG-style speed ratios:", {k: round(v, 2) for k, v in ratios.items()})
    machine = {
        "platform": platform.platform(),
        "processor": platform.processor(),
        "cpu_count": os.cpu_count(),
        "load_average_1min": os.getloadavg()[0] if hasattr(os, "getloadavg") else None,
        "python": sys.version.split()[0],
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "gpus": [dev.name for dev in tf.config.list_physical_devices("GPU")],
    }
    report = {"batch": batch, "quick": args.quick, "machine": machine, "results": results, "ratios_dcgan_over_vgg": ratios}
    prefix = args.out or ("/tmp/models_speed" if args.quick else os.path.join(HERE, "models_speed"))
    with open(prefix + ".json", "w") as f:
        json.dump(report, f, indent=1)
    lines = [
        "# Speed of the book's models (DCGAN against VGG-style)",
        "",
        f"Batch {batch}, `tf.function`, median of repeats after a warm-up. Generated by `benchmarks/models_speed.py`.",
        "",
        "| architecture | G params | D params | G multiply-adds / image | D multiply-adds / image | G images/s | D images/s | GAN steps/s |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(
            f"| {r['architecture']} | {r['generator_params']:,} | {r['discriminator_params']:,} | "
            f"{r['generator_multiply_adds'] / 1e6:.1f} M | {r['discriminator_multiply_adds'] / 1e6:.1f} M | "
            f"{r['generator_images_per_s']:.0f} | {r['discriminator_images_per_s']:.0f} | {r['train_steps_per_s']:.2f} |"
        )
    lines += [
        "",
        f"DCGAN is {ratios['train_step_speed']:.1f}x faster per GAN training step; the VGG-style generator does "
        f"{ratios['generator_multiply_adds']:.1f}x the arithmetic per image.",
        "",
        "Machine: " + ", ".join(f"{k}={v}" for k, v in machine.items()),
        "",
        "The absolute rates depend on the machine and its load (recorded above); compare the ratios.",
        "",
    ]
    with open(prefix + ".md", "w") as f:
        f.write("\n".join(lines))
    print("wrote", prefix + ".json", "and", prefix + ".md")


if __name__ == "__main__":
    main()
