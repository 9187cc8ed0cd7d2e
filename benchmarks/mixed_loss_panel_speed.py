"""Latency of chapter 7's mixed-loss panel: what one slider move costs.

The panel re-runs a short optimisation (``PixelOptimiser.run``, the package's
pixel-optimisation engine) whenever a weight changes. The engine traces its step
once, with the weights and the learning rate in variables, so a new run costs only
its steps. This script
measures, per image size, on a random-weight VGG16 (``vgg_weights=None``, as offline):

* ``first_run_s``: building the optimiser (content/style targets, tracing) plus one run;
* ``rerun_s``: a later run with other weights (what a slider move costs);
* ``one_off_s``: a new ``PixelOptimiser`` for the same images, and one run (it computes the
  targets again; the traced step is cached per extractor, layers and image shape);
* ``step_ms``: milliseconds per Adam step of a rerun.

Compare ``rerun_s`` with ``one_off_s`` as a ratio from the same run: absolute
times depend on the machine and its load (recorded).

Writes ``benchmarks/mixed_loss_panel_speed.json`` and ``.md``.

    python benchmarks/mixed_loss_panel_speed.py           # the recorded run (about a minute)
    python benchmarks/mixed_loss_panel_speed.py --quick   # smoke test, writes to /tmp
"""

import os
import sys
import time

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing
from _timing import parse_args, write_report  # noqa: E402


def main(argv=None):
    args = parse_args(__doc__, "mixed_loss_panel_speed", argv, quick_help="one small size, output to /tmp")

    import numpy as np

    from stylegan_edu._io import machine_info
    from stylegan_edu.features import vgg16_extractor
    from stylegan_edu.losses import MixedLossWeights
    from stylegan_edu.pixel_optimisation import (
        DEFAULT_CONTENT_LAYERS,
        DEFAULT_STYLE_LAYERS,
        PixelOptimiser,
        StyleTransferConfig,
    )

    sizes = (32,) if args.quick else (64, 128)
    steps = 2 if args.quick else 10
    vgg = vgg16_extractor(DEFAULT_CONTENT_LAYERS + DEFAULT_STYLE_LAYERS, vgg_weights=None)
    config = StyleTransferConfig(weights=MixedLossWeights(), normalise=False, size=None, steps=steps)  # chapter 7's
    rng = np.random.default_rng(0)
    rows = []
    for size in sizes:
        content, style = rng.uniform(size=(2, size, size, 3)).astype("float32")
        t0 = time.perf_counter()
        opt = PixelOptimiser(content, style, config, extractor=vgg)
        opt.run()
        first = time.perf_counter() - t0
        reruns = []
        for style_weight in (1.0, 10.0, 1000.0):
            t0 = time.perf_counter()
            opt.run(weights=MixedLossWeights(style=style_weight))
            reruns.append(time.perf_counter() - t0)
        rerun = sorted(reruns)[1]
        t0 = time.perf_counter()
        PixelOptimiser(content, style, config, extractor=vgg).run(weights=MixedLossWeights(style=10.0))
        one_off = time.perf_counter() - t0
        rows.append({"size_px": size, "steps": steps, "first_run_s": round(first, 3), "rerun_s": round(rerun, 3),
                     "one_off_s": round(one_off, 3), "step_ms": round(1000 * rerun / steps, 1),
                     "one_off_over_rerun": round(one_off / rerun, 2)})
        print(rows[-1])

    machine = machine_info(vgg_weights=vgg.weights_source)
    lines = ["# Mixed-loss panel latency", "",
             f"Machine: {machine['platform']}, {machine['cpu_count']} CPUs, TensorFlow {machine['tensorflow']}, "
             f"load average {machine['load_average']}; VGG16 weights: {machine['vgg_weights']}.", "",
             "| size (px) | steps | first run (s) | rerun, new weights (s) | one-off call (s) | ms / step | one-off / rerun |",
             "|---|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size_px']} | {r['steps']} | {r['first_run_s']} | {r['rerun_s']} | {r['one_off_s']} | "
                     f"{r['step_ms']} | {r['one_off_over_rerun']} |")
    write_report(args.out, {"machine": machine, "results": rows}, lines, indent=2)


if __name__ == "__main__":
    main()
