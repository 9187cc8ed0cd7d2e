"""Speed of contrast enhancement: the learned CLAHE (tone grid) against skimage and OpenCV CLAHE.

Images per second on this machine's CPU, at 256 x 256 and 512 x 512 grey
images, one by one and (for the networks) in batches of 8. skimage and OpenCV
have no batch API, so their "batched" rate is a Python loop over the batch,
the same as one by one. All see the same images; the networks are the shipped
tone grid (``stylegan_edu.pretrained.clahe_generator("gan")``) and the restoring
tone grid (``clahe_generator("restore")``; its rate includes computing the five
classical repairs it reads, ``clahe.repair_stack``), each called through a
``tf.function`` compiled with XLA (``jit_compile=True``) after a warm-up
(tracing and compiling are not timed), and, for the tone grid, also without
XLA; the restoring tone grid also with its geometric self-ensemble
(``clahe.enhance(..., self_ensemble=True)``: the model runs in the 8
orientations of the image and its outputs are averaged; the repairs are
computed once). The restoring methods (the restoring tone grid and the classical
"NL-means + CLAHE" pipeline) get the same images with noise (``clahe.damage``,
strength 0.5), the input they are for: non-local means skips an image in
which it measures no noise.

Writes ``benchmarks/clahe_speed.json`` and ``benchmarks/clahe_speed.md`` with
the machine (platform, CPU count, thread settings, library versions).

    python benchmarks/clahe_speed.py            # the recorded run (about a minute)
    python benchmarks/clahe_speed.py --quick    # a smoke test (seconds, writes to /tmp)
"""

import os
import sys

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))  # for _timing
from _timing import rate as _rate  # noqa: E402
from _timing import parse_args, write_report  # noqa: E402


def main(argv=None):
    args = parse_args(__doc__, "clahe_speed", argv)

    import cv2
    import numpy as np
    import skimage
    import tensorflow as tf
    from skimage.exposure import equalize_adapthist
    from skimage.transform import resize

    from stylegan_edu import clahe as C
    from stylegan_edu._io import machine_info

    models = {}
    for variant, label in (("gan", "learned tone grid"), ("restore", "restoring tone grid")):
        try:
            from stylegan_edu.pretrained import clahe_generator

            models[label] = (clahe_generator(variant), "shipped")
        except Exception as e:  # weights missing or damaged (AssetError): same architecture, same speed
            models[label] = (C.make_tone_grid_enhancer(C.generator_config_for(variant)), f"untrained ({type(e).__name__})")
    runs = {}
    for label, (model, _) in models.items():
        runs[label, "XLA"] = tf.function(lambda x, model=model: model(x, training=False), jit_compile=True)
    plain = models["learned tone grid"][0]
    runs["learned tone grid", "no XLA"] = tf.function(lambda x: plain(x, training=False))
    restorer = models["restoring tone grid"][0]  # 8 orientations, outputs averaged (clahe.enhance's self_ensemble)
    runs["restoring tone grid", "XLA, self-ensemble"] = tf.function(
        lambda x: restorer(x, training=False, self_ensemble=True), jit_compile=True)
    model_note = "; ".join(f"{label}: {note}, {model.count_params():,} parameters" for label, (model, note) in models.items())
    sizes = (64, 128) if args.quick else (256, 512)
    batch = 8
    min_seconds = 0.2 if args.quick else 3.0
    moon = C.load_photos(["moon"])["moon"]
    rows = []
    for size in sizes:
        imgs = [resize(np.roll(moon, 37 * i, axis=1), (size, size), anti_aliasing=True).astype(np.float32)
                for i in range(batch)]  # 8 different (H, W) images in [0, 1]
        u8 = [np.round(im * 255).astype(np.uint8) for im in imgs]
        grid = C.tile_grid_for((size, size))
        ks = (size // grid[0], size // grid[1])
        op = cv2.createCLAHE(clipLimit=C.opencv_clip_limit(C.TARGET.clip_limit), tileGridSize=grid[::-1])
        stack = np.stack(imgs)[..., None]  # (8, size, size, 1)
        restoring = models["restoring tone grid"][0].config.restore_repairs

        noisy = [C.damage(im, "noise", 0.5, seed=i) for i, im in enumerate(imgs)]  # what the restoring methods are for

        def inputs(label, i=None):  # the network's input: the images, or (restoring) the noisy images and their repairs
            if label == "restoring tone grid":
                return np.stack([C.repair_stack(im, restoring) for im in (noisy if i is None else noisy[i : i + 1])])
            return stack if i is None else stack[i : i + 1]  # (b, size, size, 1 or 6)

        for (label, _), run in runs.items():
            run(inputs(label, 0)), run(inputs(label))  # trace (and compile) both shapes once
        tests = {
            ("skimage equalize_adapthist", "one by one"): lambda: [equalize_adapthist(im, kernel_size=ks, clip_limit=0.01) for im in imgs],
            ("OpenCV CLAHE (uint8)", "one by one"): lambda: [op.apply(im) for im in u8],
            ("NL-means + CLAHE (skimage)", "one by one"): lambda: [C.CLASSICAL_PIPELINES["NL-means + CLAHE"](im) for im in noisy],
        }
        for (label, compiled), run in runs.items():
            tests[f"{label} ({compiled})", "one by one"] = lambda run=run, label=label: [
                run(inputs(label, i)).numpy() for i in range(batch)]
            tests[f"{label} ({compiled})", f"batch of {batch}"] = lambda run=run, label=label: run(inputs(label)).numpy()
        for (method, mode), fn in tests.items():
            rate, reps = _rate(fn, batch, min_seconds, min_reps=2)
            rows.append({"method": method, "mode": mode, "size": size, "images_per_s": rate, "repeats": reps})
            print(f"{size:4d}  {method:28s} {mode:12s} {rate:10.1f} images/s", flush=True)
    machine = machine_info(opencv=cv2.__version__, opencv_threads=cv2.getNumThreads(), skimage=skimage.__version__,
                           tf_intra_op_threads=tf.config.threading.get_intra_op_parallelism_threads(),
                           model=model_note)  # load average: at the end
    ref = {(r["size"], "cv"): r["images_per_s"] for r in rows if r["method"].startswith("OpenCV")}
    sk = {r["size"]: r["images_per_s"] for r in rows if r["method"].startswith("skimage")}
    lines = ["# CLAHE speed: the learned tone grid against skimage and OpenCV (CPU)", "",
             f"Machine: {machine['platform']}, {machine['cpu_count']} CPUs, TensorFlow {machine['tensorflow']}, "
             f"OpenCV {machine['opencv']} ({machine['opencv_threads']} threads), scikit-image {machine['skimage']}; "
             f"GPU: {bool(machine['gpus'])}. Models: {model_note}. "
             f"Load average at the end: {machine['load_average']}.", "",
             "| size | method | mode | images/s | x skimage | x OpenCV |", "|---|---|---|---|---|---|"]
    for r in rows:
        lines.append(f"| {r['size']} | {r['method']} | {r['mode']} | {r['images_per_s']:.1f} | "
                     f"{r['images_per_s'] / sk[r['size']]:.3g} | {r['images_per_s'] / ref[(r['size'], 'cv')]:.3g} |")
    write_report(args.out, {"machine": machine, "results": rows}, lines)


if __name__ == "__main__":
    main()
