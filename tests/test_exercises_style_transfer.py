import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import style_transfer as ex


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


@pytest.mark.parametrize(
    "answer,message",
    [("block1_conv1", "keeps nearly every pixel"), ("block2_conv2", "no room left"), ("block5_pool", "1/32"),
     ("conv4_2", "answer one of 'block1_conv1'"), (4, "(received 4)")],
)
def test_content_layer_rejects_typical_mistakes(answer, message):
    result = ex.content_layer.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def _no_clip(image, loss_fn, optimizer):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = loss_fn(image)
    optimizer.apply_gradients([(tape.gradient(loss, image), image)])
    return loss


def _ascent(image, loss_fn, optimizer):
    import tensorflow as tf

    with tf.GradientTape() as tape:
        loss = loss_fn(image)
    optimizer.apply_gradients([(-tape.gradient(loss, image), image)])
    image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return loss


def _no_update(image, loss_fn, optimizer):
    return loss_fn(image)


def _returns_none(image, loss_fn, optimizer):
    ex._reference_step(image, loss_fn, optimizer)


def _clip_before_update(image, loss_fn, optimizer):
    import tensorflow as tf

    image.assign(tf.clip_by_value(image, 0.0, 1.0))
    return _no_clip(image, loss_fn, optimizer)


def _todo(image, loss_fn, optimizer):
    raise NotImplementedError


@pytest.mark.parametrize(
    "answer,message",
    [
        (_no_clip, "left [0, 1]"),
        (_ascent, "climbed the gradient"),
        (_no_update, "did not change"),
        (_returns_none, "returns None"),
        (_clip_before_update, "left [0, 1]"),
        ("my_step", "pass your function itself"),
    ],
)
def test_optimisation_step_rejects_typical_mistakes(answer, message):
    result = ex.optimisation_step.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_optimisation_step_unfinished_is_not_attempted():
    assert ex.optimisation_step.check(_todo).outcome is Outcome.NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer,message",
    [("b", "opposite directions"), ("c", "more expensive"), ("d", "not the balance"), ("e", "answer one of 'a', 'b', 'c', 'd'")],
)
def test_tv_effect_rejects_typical_mistakes(answer, message):
    result = ex.tv_effect.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
    assert ex.tv_effect.check(" A ").outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    "answer,message",
    [(1e-6 * 320 * 480, "colour channels"), (1e-6 / (320 * 480 * 3), "you divided"), (0.5, "is not it"),
     (1e-6 * 256 * 256 * 3, "square image the chapter printed"), (1e-6 * 480 * 480 * 3, "not square"),
     ("much", "one number"), (float("nan"), "finite")],
)
def test_article_tv_weight_rejects_typical_mistakes(answer, message):
    result = ex.article_tv_weight.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
    # The reference, computed independently here.
    assert ex.article_tv_weight.check(np.float64(0.4608)).outcome is Outcome.CORRECT


def _keep_colours_by_hand(stylised, content):
    """The reference, written independently: through YCbCr (BT.601, full range) and back."""
    def to_ycbcr(rgb):
        r, g, b = rgb[..., 0], rgb[..., 1], rgb[..., 2]
        y = 0.299 * r + 0.587 * g + 0.114 * b
        return y, (b - y) / 1.772, (r - y) / 1.402

    y, _, _ = to_ycbcr(stylised)
    _, cb, cr = to_ycbcr(content)
    r, b = y + 1.402 * cr, y + 1.772 * cb
    g = (y - 0.299 * r - 0.114 * b) / 0.587
    return np.clip(np.stack([r, g, b], -1), 0.0, 1.0)


def _swapped(stylised, content):
    return _keep_colours_by_hand(content, stylised)


def _channel_mean(stylised, content):
    return np.clip(content + (stylised.mean(-1) - content.mean(-1))[..., None], 0, 1)


def _unclipped(stylised, content):
    w = np.array([0.299, 0.587, 0.114])
    return content + (stylised @ w - content @ w)[..., None]


def _luminance_only(stylised, content):  # right Y, wrong chroma: scales the photo instead of shifting it
    w = np.array([0.299, 0.587, 0.114])
    return np.clip(np.repeat((stylised @ w)[..., None], 3, -1), 0, 1)


def test_keep_colours_accepts_an_independent_solution():
    assert ex.keep_colours.check(_keep_colours_by_hand).outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    "answer,message",
    [(_swapped, "roles are swapped"), (_channel_mean, "mean of R, G and B"), (_unclipped, "clip the result"),
     (_luminance_only, "chroma is not"), (lambda s, c: s, "chroma is not"), (lambda s, c: c, "differs from the reference"),
     (lambda s, c: s[..., 0], "input's shape"), (lambda s, c: 1 / 0, "raised ZeroDivisionError"), (3, "pass your function")],
)
def test_keep_colours_rejects_typical_mistakes(answer, message):
    result = ex.keep_colours.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
