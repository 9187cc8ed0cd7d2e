"""Training-step throughput of the default DCGAN on Keras' JAX backend: CPU here, GPU in Colab.

The book's training loop (``stylegan_edu.gan.GAN`` on ``stylegan_edu.training.AdversarialTrainer``) uses ``tf.GradientTape``
inside ``tf.function``. The *models and losses* are backend-neutral, so the
same DCGAN step (one discriminator update, one generator update, Adam 2e-4,
beta_1 0.5, non-saturating loss) can be written with Keras' stateless API and
``jax.jit``. This script times that step on whatever device JAX sees, so that
one run on this 2-core CPU and one on a GPU give a ratio for chapter 9's
"what to expect on a GPU". Results: ``gan_step_backends.json`` / ``.md``
(one entry per device, merged).

    KERAS_BACKEND=jax python benchmarks/gan_step_backends.py [--steps 50] [--batch 64 256]
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

os.environ.setdefault("KERAS_BACKEND", "jax")


def _time_step(batch, steps, warmup=3):
    import jax
    import keras

    from stylegan_edu._io import machine_info
    import numpy as np

    from stylegan_edu import losses, models

    g = models.make_generator(models.GeneratorConfig(seed=0))
    d = models.make_discriminator(models.DiscriminatorConfig(seed=0))
    opt_g = keras.optimizers.Adam(2e-4, beta_1=0.5)
    opt_d = keras.optimizers.Adam(2e-4, beta_1=0.5)
    opt_g.build(g.trainable_variables)
    opt_d.build(d.trainable_variables)
    latent = g.input_shape[-1]

    def d_loss_fn(d_tv, d_ntv, g_tv, g_ntv, real, z):
        fake, g_ntv = g.stateless_call(g_tv, g_ntv, z, training=True)  # (B, 28, 28, 1)
        real_logits, d_ntv = d.stateless_call(d_tv, d_ntv, real, training=True)  # (B, 1)
        fake_logits, d_ntv = d.stateless_call(d_tv, d_ntv, fake, training=True)  # (B, 1)
        return losses.discriminator_loss(real_logits, fake_logits), (d_ntv, g_ntv)

    def g_loss_fn(g_tv, g_ntv, d_tv, d_ntv, z):
        fake, g_ntv = g.stateless_call(g_tv, g_ntv, z, training=True)
        fake_logits, d_ntv = d.stateless_call(d_tv, d_ntv, fake, training=True)
        return losses.generator_loss(fake_logits), (g_ntv, d_ntv)

    d_grad = jax.value_and_grad(d_loss_fn, has_aux=True)
    g_grad = jax.value_and_grad(g_loss_fn, has_aux=True)

    @jax.jit
    def step(state, real, key):
        g_tv, g_ntv, d_tv, d_ntv, g_opt, d_opt = state
        k1, k2 = jax.random.split(key)
        z = jax.random.normal(k1, (real.shape[0], latent))  # (B, 100)
        (ld, (d_ntv, g_ntv)), grads = d_grad(d_tv, d_ntv, g_tv, g_ntv, real, z)
        d_tv, d_opt = opt_d.stateless_apply(d_opt, grads, d_tv)
        z = jax.random.normal(k2, (real.shape[0], latent))
        (lg, (g_ntv, d_ntv)), grads = g_grad(g_tv, g_ntv, d_tv, d_ntv, z)
        g_tv, g_opt = opt_g.stateless_apply(g_opt, grads, g_tv)
        return (g_tv, g_ntv, d_tv, d_ntv, g_opt, d_opt), ld, lg

    state = (
        [v.value for v in g.trainable_variables], [v.value for v in g.non_trainable_variables],
        [v.value for v in d.trainable_variables], [v.value for v in d.non_trainable_variables],
        [v.value for v in opt_g.variables], [v.value for v in opt_d.variables],
    )
    real = jax.numpy.asarray(np.random.default_rng(0).uniform(-1, 1, (batch, 28, 28, 1)).astype("float32"))
    key = jax.random.PRNGKey(0)
    t0 = time.perf_counter()
    for i in range(warmup):
        state, ld, lg = step(state, real, jax.random.fold_in(key, i))
    jax.block_until_ready(state)
    compile_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    for i in range(steps):
        state, ld, lg = step(state, real, jax.random.fold_in(key, warmup + i))
    jax.block_until_ready(state)
    seconds = (time.perf_counter() - t0) / steps
    assert np.isfinite(float(ld)) and np.isfinite(float(lg))
    return {"batch": batch, "seconds_per_step": seconds, "images_per_second": batch / seconds,
            "warmup_seconds": compile_s, "final_d_loss": float(ld), "final_g_loss": float(lg)}


def write_markdown(data, path):
    """Write the Markdown table of every recorded device (and GPU/CPU ratios)."""
    lines = ["# Default DCGAN training step on Keras' JAX backend", "",
             "One discriminator and one generator update (Adam 2e-4, beta_1 0.5), `jax.jit`-compiled, "
             "timed after warm-up; `benchmarks/gan_step_backends.py`.", "",
             "| device | host CPUs | batch | ms/step | images/s |", "|---|---:|---:|---:|---:|"]
    for e in data["entries"]:
        for r in e["results"]:
            lines.append(f"| {e['device']} ({e['device_platform']}) | {e['machine']['cpu_count']} | {r['batch']} | "
                         f"{r['seconds_per_step'] * 1000:.2f} | {r['images_per_second']:.0f} |")
    cpu = [e for e in data["entries"] if e["device_platform"] == "cpu"]
    gpu = [e for e in data["entries"] if e["device_platform"] == "gpu"]
    if cpu and gpu:
        lines += ["", "GPU speed-up over this CPU, same batch:"]
        for rc in cpu[0]["results"]:
            for rg in gpu[0]["results"]:
                if rg["batch"] == rc["batch"]:
                    lines.append(f"- batch {rc['batch']}: {rc['seconds_per_step'] / rg['seconds_per_step']:.0f}x")
    path.write_text("\n".join(lines) + "\n")


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--steps", type=int, default=50)
    parser.add_argument("--batch", type=int, nargs="+", default=[64, 256])
    parser.add_argument("--out", default=str(Path(__file__).with_suffix("")))
    args = parser.parse_args(argv)

    import jax
    import keras

    from stylegan_edu._io import machine_info

    if keras.backend.backend() != "jax":
        sys.exit("Run with KERAS_BACKEND=jax")
    dev = jax.devices()[0]
    device = getattr(dev, "device_kind", str(dev))
    rows = [_time_step(b, args.steps) for b in args.batch]
    entry = {"device": device, "device_platform": dev.platform, "machine": machine_info(jax=jax.__version__),
             "steps": args.steps, "results": rows, "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    for r in rows:
        print(f"{device:>24} batch {r['batch']:>4}: {r['seconds_per_step'] * 1000:8.2f} ms/step, "
              f"{r['images_per_second']:9.0f} images/s (warm-up incl. compile {r['warmup_seconds']:.1f} s)")
    out_json = Path(args.out + ".json")
    data = json.loads(out_json.read_text()) if out_json.exists() else {"entries": []}
    data["entries"] = [e for e in data["entries"] if e["device"] != device] + [entry]
    out_json.write_text(json.dumps(data, indent=2))
    write_markdown(data, Path(args.out + ".md"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
