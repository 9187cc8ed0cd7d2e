"""Exercises for chapter 10, style transfer on photographs.

Example:

>>> from stylegan_edu.exercises import style_transfer as ex
>>> ex.content_layer.check(ex.content_layer.reference)
✓ Correct: The layer that keeps content.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function

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

ARTICLE_SHAPE = (256, 256, 3)
_ARTICLE_GAMMA = 1e-6


def _check_article_tv(answer):
    try:
        x = float(answer)
    except (TypeError, ValueError):
        raise Incorrect("answer with one number.") from None
    h, w, c = ARTICLE_SHAPE
    want = _ARTICLE_GAMMA * h * w * c
    if not math.isfinite(x):
        raise Incorrect("answer with a finite number.")
    if math.isclose(x, _ARTICLE_GAMMA * h * w, rel_tol=1e-3):
        raise Incorrect("close: you forgot the 3 colour channels, which the TV sum also runs over.")
    if math.isclose(x, _ARTICLE_GAMMA / (h * w * c), rel_tol=1e-3):
        raise Incorrect("you divided: our TV is the article's divided by HWC, so its weight must be "
                        "multiplied by HWC to give the same term.")
    if not math.isclose(x, want, rel_tol=1e-3):
        raise Incorrect(f"{x:g} is not it: gamma * TV_sum = gamma * HWC * (TV_sum / HWC).")


article_tv_weight = Problem(
    "The article's TV weight in our units",
    """
    The article weights a TV *summed* over all pixel values with gamma = 1e-6. `stylize` divides
    the TV by the number of pixel values H*W*C. Which TV weight in `stylize` gives exactly the
    article's TV term for a 256 x 256 RGB image? Answer with a number.
    """,
    _check_article_tv,
    hint="Write gamma * TV_sum as gamma' * (TV_sum / (H W C)) and solve for gamma'.",
    solution="""
    1e-6 * 256 * 256 * 3 = 0.1966: about 2.5 times smaller than our default 0.5. The article's TV
    term is light at 256 px, and four times heavier at 512 px: a raw sum ties the weight to the size.
    """,
    reference=_ARTICLE_GAMMA * 256 * 256 * 3,
)

PROBLEMS = (content_layer, optimisation_step, tv_effect, article_tv_weight)

__all__ = [
    "PROBLEMS", "CONTENT_CHOICES", "content_layer", "optimisation_step", "TV_CHOICES", "tv_effect", "ARTICLE_SHAPE",
    "article_tv_weight",
]
