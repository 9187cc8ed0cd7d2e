"""Latency of chapter 7's mixed-loss panel: what one slider move costs.

The panel re-runs a short optimisation (``MixedLossOptimiser.run``) whenever a
weight changes. The optimiser traces its step once, with the weights and the
learning rate as tensor inputs, so a new run costs only its steps. This script
measures, per image size, on a random-weight VGG16 (``weights=None``, as offline):

* ``first_run_s``: building the optimiser (content/style targets, tracing) plus one run;
* ``rerun_s``: a later run with other weights (what a slider move costs);
* ``one_off_s``: ``optimise_mixed_loss`` called afresh (it builds and traces each time);
* ``step_ms``: milliseconds per Adam step of a rerun.

Compare ``rerun_s`` with ``one_off_s`` as a ratio from the same run: absolute
times depend on the machine and its load (recorded).

Writes ``benchmarks/mixed_loss_panel_speed.json`` and ``.md``.

    python benchmarks/mixed_loss_panel_speed.py           # the recorded run (about a minute)
    python benchmarks/mixed_loss_panel_speed.py --quick   # smoke test, writes to /tmp
"""

import argparse
import os
import platform
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from _timing import write_report  # noqa: E402


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--quick", action="store_true", help="one small size, output to /tmp")
    p.add_argument("--out", default=None, help="output prefix (default benchmarks/mixed_loss_panel_speed)")
    args = p.parse_args(argv)

    import numpy as np
    import tensorflow as tf

    from stylegan_edu.features import vgg16_extractor
    from stylegan_edu.losses import MixedLossWeights
    from stylegan_edu.widgets import MixedLossOptimiser, optimise_mixed_loss
    from stylegan_edu.widgets._mixed_loss import DEFAULT_CONTENT_LAYERS, DEFAULT_STYLE_LAYERS

    sizes = (32,) if args.quick else (64, 128)
    steps = 2 if args.quick else 10
    vgg = vgg16_extractor(DEFAULT_CONTENT_LAYERS + DEFAULT_STYLE_LAYERS, weights=None)
    rng = np.random.default_rng(0)
    rows = []
    for size in sizes:
        content, style = rng.uniform(size=(2, size, size, 3)).astype("float32")
        t0 = time.perf_counter()
        opt = MixedLossOptimiser(content, style, vgg)
        opt.run(MixedLossWeights(), steps=steps)
        first = time.perf_counter() - t0
        reruns = []
        for style_weight in (1.0, 10.0, 1000.0):
            t0 = time.perf_counter()
            opt.run(MixedLossWeights(style=style_weight), steps=steps)
            reruns.append(time.perf_counter() - t0)
        rerun = sorted(reruns)[1]
        t0 = time.perf_counter()
        optimise_mixed_loss(content, style, vgg, MixedLossWeights(style=10.0), steps=steps)
        one_off = time.perf_counter() - t0
        rows.append({"size_px": size, "steps": steps, "first_run_s": round(first, 3), "rerun_s": round(rerun, 3),
                     "one_off_s": round(one_off, 3), "step_ms": round(1000 * rerun / steps, 1),
                     "one_off_over_rerun": round(one_off / rerun, 2)})
        print(rows[-1])

    machine = {"platform": platform.platform(), "python": sys.version.split()[0], "cpu_count": os.cpu_count(),
               "tensorflow": tf.__version__, "load_average": [round(x, 2) for x in os.getloadavg()],
               "vgg_weights": vgg.weights_source}
    prefix = args.out or ("/tmp/mixed_loss_panel_speed" if args.quick else os.path.join(HERE, "mixed_loss_panel_speed"))
    lines = ["# Mixed-loss panel latency", "",
             f"Machine: {machine['platform']}, {machine['cpu_count']} CPUs, TensorFlow {machine['tensorflow']}, "
             f"load average {machine['load_average']}; VGG16 weights: {machine['vgg_weights']}.", "",
             "| size (px) | steps | first run (s) | rerun, new weights (s) | one-off call (s) | ms / step | one-off / rerun |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size_px']} | {r['steps']} | {r['first_run_s']} | {r['rerun_s']} | {r['one_off_s']} | "
                     f"{r['step_ms']} | {r['one_off_over_rerun']} |")
    write_report(prefix, {"machine": machine, "results": rows}, lines, indent=2)


if __name__ == "__main__":
    main()
