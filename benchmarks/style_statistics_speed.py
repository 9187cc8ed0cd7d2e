"""Gram matrices against channel means and standard deviations: time per optimisation step (chapter 12).

The pixel optimiser (:class:`stylegan_edu.pixel_optimisation.PixelOptimiser`) with
``style_statistic="gram"`` and ``"mean_std"``, on the same VGG16 (trained HED
weights offline; speed does not depend on the weights), the same content
(``astronaut``), style (``starry_night_van_gogh``), layers (Gatys's five style
layers, ``block4_conv2``) and loss weights. For each image size:

* **whole step**: seconds per optimisation step (VGG forward and backward, the
  mixed loss, Adam, clip), ``--steps`` timed steps after one tracing step;
* **loss only**: milliseconds for the style loss and its gradient with respect
  to the five layers' features of one image (``tf.function``), 20 calls after
  a warm-up.

The two statistics alternate within each repeat (gram, mean_std, gram, ...),
so a change of machine load hits both; the median over ``--repeats`` is kept,
and the ratios are taken within this one run.

Usage::

    .venv/bin/python benchmarks/style_statistics_speed.py            # writes benchmarks/style_statistics_speed.{json,md}
    .venv/bin/python benchmarks/style_statistics_speed.py --quick    # smoke test, output to /tmp
"""

import os
import statistics
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from _timing import parse_args, write_report  # noqa: E402

NAME = "style_statistics_speed"
STATISTICS = ("gram", "mean_std")


def loss_ms(vgg, content, style, statistic, calls=20):
    """Milliseconds for one style loss and its gradient on the style layers' features of ``content``."""
    import tensorflow as tf

    from stylegan_edu import losses, pixel_optimisation as po, style_statistics as ss

    layers = po.DEFAULT_STYLE_LAYERS
    feats = {l: tf.constant(v) for l, v in vgg(content[None]).items() if l in layers}  # {layer: (1, h, w, c)}
    targets_feats = vgg(style[None])
    if statistic == "gram":
        targets = {l: losses.gram_matrix(targets_feats[l]) for l in layers}
        loss_fn = lambda fs: losses.style_loss(fs, targets)  # noqa: E731
    else:
        targets = {l: ss.channel_mean_std(targets_feats[l]) for l in layers}
        loss_fn = lambda fs: ss.mean_std_style_loss(fs, targets, squared=True)  # noqa: E731

    @tf.function
    def step(fs):
        with tf.GradientTape() as tape:
            tape.watch(fs)
            loss = loss_fn(fs)
        return tape.gradient(loss, fs)

    [v.numpy() for v in step(feats).values()]  # trace and warm up
    t0 = time.perf_counter()
    for _ in range(calls):
        out = step(feats)
    [v.numpy() for v in out.values()]
    return (time.perf_counter() - t0) / calls * 1000


def main(argv=None):
    args = parse_args(__doc__, NAME, argv)
    sizes = (64,) if args.quick else (192, 384)
    steps = 2 if args.quick else 10
    repeats = 1 if args.quick else 3

    import tensorflow as tf

    from stylegan_edu import features, pixel_optimisation as po
    from stylegan_edu import style_transfer as st
    from stylegan_edu._io import machine_info

    layers = list(dict.fromkeys(po.DEFAULT_STYLE_LAYERS + po.DEFAULT_CONTENT_LAYERS))
    vgg = features.vgg16_extractor(layers)
    rows = []
    for size in sizes:
        content, style = st.load_image("astronaut", size), st.load_image("starry_night_van_gogh", size)
        optimisers = {s: po.PixelOptimiser(content, style, po.StyleTransferConfig(size=size, steps=steps, style_statistic=s),
                                           extractor=vgg) for s in STATISTICS}
        step_s = {s: [] for s in STATISTICS}
        loss = {s: [] for s in STATISTICS}
        for _ in range(repeats):
            for s in STATISTICS:  # alternate, so that a change of load hits both
                step_s[s].append(optimisers[s].run(steps=steps + 1).seconds_per_step)  # the first (tracing) step is excluded
                loss[s].append(loss_ms(vgg, content, style, s))
        row = {"size": size, "image": f"{content.shape[1]}x{content.shape[0]}"}
        for s in STATISTICS:
            row[f"{s}_step_s"] = statistics.median(step_s[s])
            row[f"{s}_loss_ms"] = statistics.median(loss[s])
        row["step_ratio"] = row["gram_step_s"] / row["mean_std_step_s"]
        row["loss_ratio"] = row["gram_loss_ms"] / row["mean_std_loss_ms"]
        row["gram_loss_share_of_step"] = row["gram_loss_ms"] / 1000 / row["gram_step_s"]
        rows.append(row)

    machine = machine_info(vgg=vgg.weights_label, gpus=[d.name for d in tf.config.list_physical_devices("GPU")])
    record = {"what": "seconds per pixel-optimisation step and ms per style loss+gradient, Gram vs mean/std",
              "steps": steps, "repeats": repeats, "rows": rows, "machine": machine}
    lines = [
        "# Gram matrices against channel means and standard deviations: time per step",
        "",
        "The pixel optimiser with `style_statistic=\"gram\"` and `\"mean_std\"` (chapter 12): same VGG16, content "
        "`astronaut`, style `starry_night_van_gogh`, layers and weights. Whole step: "
        f"{steps} timed steps after one tracing step. Loss only: the style loss and its gradient on the five style "
        f"layers' features of one image, 20 calls. Median of {repeats} repeats, the two statistics alternating. "
        "Made by `benchmarks/style_statistics_speed.py`.",
        "",
        "| size (long side) | image | Gram s/step | mean/std s/step | Gram / mean/std (step) | Gram loss ms | "
        "mean/std loss ms | Gram / mean/std (loss) | Gram loss share of a step |",
        "|---|---|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['size']} | {r['image']} | {r['gram_step_s']:.3f} | {r['mean_std_step_s']:.3f} | "
                     f"{r['step_ratio']:.2f} | {r['gram_loss_ms']:.1f} | {r['mean_std_loss_ms']:.1f} | "
                     f"{r['loss_ratio']:.2f} | {100 * r['gram_loss_share_of_step']:.0f}% |")
    lines += ["", "Machine: " + ", ".join(f"{k} `{v}`" for k, v in machine.items())]
    write_report(args.out, record, lines)


if __name__ == "__main__":
    main()
