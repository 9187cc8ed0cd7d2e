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
    [(1e-6 * 256 * 256, "colour channels"), (1e-6 / (256 * 256 * 3), "you divided"), (0.5, "is not it"),
     ("much", "one number"), (float("nan"), "finite")],
)
def test_article_tv_weight_rejects_typical_mistakes(answer, message):
    result = ex.article_tv_weight.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message
    # The reference, computed independently here.
    assert ex.article_tv_weight.check(np.float64(0.196608)).outcome is Outcome.CORRECT
