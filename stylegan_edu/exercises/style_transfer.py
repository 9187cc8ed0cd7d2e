"""Exercises for chapter 10, style transfer on photographs.

Example:

>>> from stylegan_edu.exercises import style_transfer as ex
>>> ex.content_layer.check(ex.content_layer.reference)
✓ Correct: The layer that keeps content.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

# ---------------------------------------------------------------------------
# 1. Which layer keeps the content?
# ---------------------------------------------------------------------------

CONTENT_CHOICES = ("block1_conv1", "block2_conv2", "block4_conv2", "block5_pool")


def _content_layer_wrong(layer):
    if layer == "block5_pool":
        return ("block5_pool sees the image at 1/32 of its resolution: its reconstruction loses even the layout. "
                "The content target would hardly constrain the result.")
    return (f"{layer} keeps nearly every pixel (its reconstruction looks like the photograph itself). "
            "Matching it pins the colours and fine texture too, so the style has no room left.")


content_layer = MultipleChoice(
    "The layer that keeps content",
    f"""
    Look at the reconstructions from single layers. Which of {list(CONTENT_CHOICES)} keeps the
    layout of the photograph (where things are) while letting go of its exact colours and fine
    texture, so that the painting's texture can replace them? Answer with the layer's name.
    """,
    CONTENT_CHOICES,
    "block4_conv2",
    _content_layer_wrong,
    hint="Early layers reproduce the photograph pixel for pixel; the last pooling layer has almost no "
    "spatial resolution left. Gatys et al. chose one in between.",
    solution="""
    "block4_conv2" (Gatys et al.'s conv4_2): deep enough that colours and fine texture are free,
    with 1/8 of the resolution left, which is enough to keep the objects where they are.
    """,
)

# ---------------------------------------------------------------------------
# 2. One optimisation step
# ---------------------------------------------------------------------------


def _reference_step(image, loss_fn, optimizer):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = loss_fn(image)
    grad = tape.gradient(loss, image)
    optimizer.apply_gradients([(grad, image)])
    image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return loss


def _step_problem():
    """A tiny problem whose minimum lies partly outside [0, 1], so the clip matters."""
    import tensorflow as tf

    rng = np.random.default_rng(0)
    start = rng.uniform(0.2, 0.8, size=(1, 4, 4, 3)).astype(np.float32)  # (1, 4, 4, 3)
    target = rng.uniform(-0.6, 1.6, size=(1, 4, 4, 3)).astype(np.float32)

    def loss_fn(x):
        return tf.reduce_sum(tf.square(x - target))

    return start, loss_fn


def _run_steps(step, n=5):
    import keras
    import tensorflow as tf

    start, loss_fn = _step_problem()
    image = tf.Variable(start)
    optimizer = keras.optimizers.SGD(learning_rate=0.2)
    losses = []
    for _ in range(n):
        out = step(image, loss_fn, optimizer)
        if isinstance(out, (str, bytes)):
            raise Incorrect(f"your step returned a string, {out!r:.40}; it should return the loss (a float), computed before the update.")
        losses.append(None if out is None else float(np.asarray(out)))
    return start, image.numpy(), losses


def _check_step(fn):
    function(fn, "my_step")
    start, got, losses = _run_steps(fn)
    _, want, want_losses = _run_steps(_reference_step)
    if any(v is None for v in losses):
        raise Incorrect("your step returns None: return the loss, computed before the update.")
    if np.allclose(got, start):
        raise Incorrect("the image did not change: apply the gradient to the variable with "
                        "optimizer.apply_gradients([(grad, image)]).")
    if losses[-1] > losses[0]:
        raise Incorrect(f"the loss grew from {losses[0]:.3f} to {losses[-1]:.3f}: you climbed the gradient. "
                        "Hand the optimizer the gradient itself; it subtracts it.")
    if got.min() < 0.0 or got.max() > 1.0:
        raise Incorrect(f"the image left [0, 1] (min {got.min():.3f}, max {got.max():.3f}): clip it after the update "
                        "with image.assign(tf.clip_by_value(image, 0.0, 1.0)).")
    if not np.allclose(got, want, atol=1e-5):
        raise Incorrect(f"after 5 steps your image differs from the reference by up to {np.abs(got - want).max():.4f}: "
                        "compute the loss inside the tape, take its gradient w.r.t. the image, apply, then clip.")
    if not np.allclose(losses, want_losses, rtol=1e-5):
        raise Incorrect("your step returns a different loss: return loss_fn(image) as computed before the update.")


optimisation_step = Problem(
    "One optimisation step",
    """
    Write `my_step(image, loss_fn, optimizer)`: one step of Gatys's optimisation. `image` is a
    `tf.Variable` (1, H, W, 3) in [0, 1], `loss_fn(image)` returns a scalar loss, `optimizer` is a
    Keras optimizer. Compute the loss and its gradient with respect to the image, let the optimizer
    update the image, keep the image in [0, 1], and return the loss (before the update).
    Then run `optimisation_step.check(my_step)`.
    """,
    _check_step,
    hint="tf.GradientTape, tape.gradient(loss, image), optimizer.apply_gradients([(grad, image)]), "
    "tf.clip_by_value.",
    solution="""
    def my_step(image, loss_fn, optimizer):
        with tf.GradientTape() as tape:
            loss = loss_fn(image)
        grad = tape.gradient(loss, image)              # (1, H, W, 3), same shape as the image
        optimizer.apply_gradients([(grad, image)])     # the optimizer subtracts (a scaled) gradient
        image.assign(tf.clip_by_value(image, 0.0, 1.0))  # pixels stay valid
        return loss
    """,
    reference=_reference_step,
)

# ---------------------------------------------------------------------------
# 3. Predict the effect of the TV weight
# ---------------------------------------------------------------------------

TV_CHOICES = {
    "a": "TV of the result goes down, style loss goes up: smoother, less painterly",
    "b": "TV goes down, style loss goes down too: smoother and more painterly",
    "c": "TV goes up, style loss goes down: the brush strokes get sharper",
    "d": "nothing changes: Adam normalises the gradient",
}


_TV_WRONG = {
    "b": "the brush strokes of a painting are edges, which TV penalises: the two terms pull in "
        "opposite directions, so both cannot fall. Look at the grid's style column.",
    "c": "a larger TV weight makes TV more expensive; the optimiser spends less of it.",
    "d": "Adam normalises the size of the whole gradient, not the balance between its parts: "
        "the weights set the direction, so the result changes.",
}


tv_effect = MultipleChoice(
    "Raising the TV weight",
    """
    Before you run it: with the content and style weights fixed, what happens when the TV weight
    goes from 0.5 to 50? Answer with a letter:""" + "".join(f"\n    {k}) {v}" for k, v in TV_CHOICES.items()),
    TV_CHOICES,
    "a",
    _TV_WRONG,
    hint="Total variation sums the differences between neighbouring pixels. What are brush strokes made of?",
    solution="""
    "a": TV is the price of every edge, and the painting's texture is made of edges. A larger TV weight
    buys a smoother image (lower TV) and pays in style (higher style loss). The grid over TV weight shows it.
    """,
)

# ---------------------------------------------------------------------------
# 4. The article's TV weight in our units
# ---------------------------------------------------------------------------

#: (H, W, C) of the photo in exercise 4: a 480 x 320 landscape RGB photo (the chapter prints only square sizes).
ARTICLE_SHAPE = (320, 480, 3)
_ARTICLE_GAMMA = 1e-6


def _check_article_tv(answer):
    x = number(answer)
    h, w, c = ARTICLE_SHAPE
    want = _ARTICLE_GAMMA * h * w * c
    close = lambda a, b: math.isclose(a, b, rel_tol=1e-3)  # noqa: E731
    if close(x, _ARTICLE_GAMMA * h * w):
        raise Incorrect("close: you forgot the 3 colour channels, which the TV sum also runs over.")
    if close(x, _ARTICLE_GAMMA / (h * w * c)):
        raise Incorrect("you divided: our TV is the article's divided by HWC, so its weight must be "
                        "multiplied by HWC to give the same term.")
    if close(x, _ARTICLE_GAMMA * 256 * 256 * 3) or close(x, _ARTICLE_GAMMA * 512 * 512 * 3):
        raise Incorrect(f"that is the weight for a square image the chapter printed; this photo is {w} x {h}.")
    if close(x, _ARTICLE_GAMMA * max(h, w) ** 2 * c):
        raise Incorrect(f"the photo is {w} x {h}, not square: H W = {h} x {w}.")
    if not close(x, want):
        raise Incorrect(f"{x:g} is not it: gamma * TV_sum = gamma * HWC * (TV_sum / HWC).")


article_tv_weight = Problem(
    "The article's TV weight in our units",
    f"""
    The article weights a TV *summed* over all pixel values with gamma = 1e-6. `stylize` divides
    the TV by the number of pixel values H*W*C. Which TV weight in `stylize` gives exactly the
    article's TV term for a {ARTICLE_SHAPE[1]} x {ARTICLE_SHAPE[0]} (width x height) RGB photo?
    Answer with a number.
    """,
    _check_article_tv,
    hint="Write gamma * TV_sum as gamma' * (TV_sum / (H W C)) and solve for gamma'.",
    solution=f"""
    1e-6 * {ARTICLE_SHAPE[0]} * {ARTICLE_SHAPE[1]} * 3 = {_ARTICLE_GAMMA * np.prod(ARTICLE_SHAPE):.4f}: a little
    below the normalised default 0.5. A raw sum ties the weight to the size: at 640 x 480 the same
    gamma = 1e-6 is worth 0.9216 in our units, twice as much.
    """,
    reference=_ARTICLE_GAMMA * float(np.prod(ARTICLE_SHAPE)),
)

# ---------------------------------------------------------------------------
# 5. Extension: keep the photograph's colours
# ---------------------------------------------------------------------------

#: ITU-R BT.601 luma weights, the Y of YCbCr (as in stylegan_edu.clahe.to_luminance).
LUMA = (0.299, 0.587, 0.114)


def _reference_keep_colours(stylised, content):
    from stylegan_edu.clahe import to_luminance

    s, c = np.asarray(stylised, np.float64), np.asarray(content, np.float64)  # (H, W, 3) each
    y_s, y_c = to_luminance(s), to_luminance(c)  # (H, W) each
    return np.clip(c + (y_s - y_c)[..., None], 0.0, 1.0)  # (H, W, 3)


def _colour_pair():
    rng = np.random.default_rng(10)
    stylised = rng.uniform(0.0, 1.0, size=(6, 5, 3))  # (H, W, 3)
    content = rng.uniform(0.0, 1.0, size=(6, 5, 3))
    return stylised, content


def _check_keep_colours(fn):
    fn = function(fn, "my_keep_colours", returns="an (H, W, 3) array of floats")
    stylised, content = _colour_pair()
    got = np.asarray(fn(stylised.copy(), content.copy()), dtype=np.float64)  # Problem.check reports a crash
    if got.shape != stylised.shape:
        raise Incorrect(f"return an image of the input's shape {stylised.shape}; got {got.shape}.")
    want = _reference_keep_colours(stylised, content)
    if np.allclose(got, want, atol=1e-4):
        return
    wrong = {
        "swapped": np.clip(stylised + (content @ LUMA - stylised @ LUMA)[..., None], 0, 1),
        "mean": np.clip(content + (stylised.mean(-1) - content.mean(-1))[..., None], 0, 1),
        "unclipped": content + (stylised @ LUMA - content @ LUMA)[..., None],
    }
    if np.allclose(got, wrong["swapped"], atol=1e-4):
        raise Incorrect("that is the photograph's brightness in the painting's colours: the roles are swapped. "
                        "Keep the stylised image's luminance Y and the photograph's chroma.")
    if np.allclose(got, wrong["mean"], atol=1e-4):
        raise Incorrect("you used the mean of R, G and B as the luminance; use BT.601's Y = 0.299 R + 0.587 G + 0.114 B, "
                        "which weights green most, as the eye does.")
    if np.allclose(got, wrong["unclipped"], atol=1e-4):
        raise Incorrect(f"right colours, but values reach [{got.min():.3f}, {got.max():.3f}]: clip the result to [0, 1].")
    if np.allclose(got @ LUMA, np.clip(stylised @ LUMA, 0, 1), atol=1e-3):
        raise Incorrect("the luminance is right but the chroma is not: add the same Y difference to all three channels "
                        "of the photograph, so that Cb and Cr (linear in B - Y and R - Y) do not change.")
    raise Incorrect(f"your image differs from the reference by up to {np.abs(got - want).max():.3f}: "
                    "take the photograph, add (Y of the stylised image - Y of the photograph) to each channel, clip.")


keep_colours = Problem(
    "Extension: keep the photograph's colours",
    """
    Style transfer also copies the painting's palette: the cat turns blue under The Starry Night.
    Gatys et al. (2017, "Controlling perceptual factors in neural style transfer") keep the
    photograph's colours by taking only the *luminance* Y = 0.299 R + 0.587 G + 0.114 B (BT.601)
    from the stylised result and the chroma (Cb, Cr) from the photograph. Write
    `my_keep_colours(stylised, content)`: both (H, W, 3) float arrays in [0, 1], same shape; return
    the (H, W, 3) image with the stylised image's Y and the photograph's Cb and Cr, clipped to [0, 1].
    Then run `keep_colours.check(my_keep_colours)`, and try it on `result.image` and `content`.
    """,
    _check_keep_colours,
    hint="Cb and Cr are linear in B - Y and R - Y. Adding the same number d to R, G and B adds d to Y "
    "(the weights sum to 1) and leaves B - Y and R - Y unchanged.",
    solution="""
    def my_keep_colours(stylised, content):
        w = np.array([0.299, 0.587, 0.114])
        d = stylised @ w - content @ w                      # (H, W): Y_stylised - Y_photo
        return np.clip(content + d[..., None], 0.0, 1.0)    # (H, W, 3): photo's chroma, stylised Y
    The same trick enhances the luminance of RGB photos in chapter 11 (stylegan_edu.clahe).
    """,
    reference=_reference_keep_colours,
)

PROBLEMS = (content_layer, optimisation_step, tv_effect, article_tv_weight, keep_colours)

__all__ = [
    "PROBLEMS", "CONTENT_CHOICES", "content_layer", "optimisation_step", "TV_CHOICES", "tv_effect", "ARTICLE_SHAPE",
    "article_tv_weight", "LUMA", "keep_colours",
]
