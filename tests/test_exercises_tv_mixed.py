"""Chapter 6 and 7 exercise checkers: accept the reference, reject typical mistakes with the right message."""

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import mixed_loss as mx
from stylegan_edu.exercises import total_variation as tv
from stylegan_edu.losses import total_variation_loss

PROBLEMS = tv.PROBLEMS + mx.PROBLEMS


@pytest.mark.parametrize("problem", PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def _rejects(problem, answer, message):
    result = problem.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_tv_by_hand_reference_agrees_with_the_package():
    img = np.asarray(tv.IMAGE_3X3, "float32")[None, :, :, None]
    assert tv.tv_by_hand.reference == pytest.approx(float(total_variation_loss(img, "l1")))


@pytest.mark.parametrize(
    "answer,message",
    [(12, "L2 (squared)"), (6, "only the vertical"), (2, "only the horizontal"), (8 / 12, "mean over the 12"),
     (0, "must not cancel"), ("eight", "one number"), (7, "is not it")],
)
def test_tv_by_hand_rejects(answer, message):
    _rejects(tv.tv_by_hand, answer, message)


def _article_style(x):  # the article's indexing, with abs and sums
    return np.abs(x[:, :-1] - x[:, 1:]).sum() + np.abs(x[:-1] - x[1:]).sum()


def _height_only(x):
    return np.mean(np.abs(np.diff(x, axis=1)).sum(axis=(1, 2, 3)))


def _squared(x):
    return np.mean(np.square(np.diff(x, axis=1)).sum(axis=(1, 2, 3)) + np.square(np.diff(x, axis=2)).sum(axis=(1, 2, 3)))


def _batch_sum(x):
    return np.abs(np.diff(x, axis=1)).sum() + np.abs(np.diff(x, axis=2)).sum()


def _means(x):
    return np.abs(np.diff(x, axis=1)).mean() + np.abs(np.diff(x, axis=2)).mean()


@pytest.mark.parametrize(
    "answer,message",
    [(_article_style, "axis 0, the batch"), (_height_only, "vertical edge"), (_squared, "L2 TV"),
     (_batch_sum, "sum over the batch"), (_means, "far smaller"), (3.0, "pass your function")],
)
def test_tv_function_rejects(answer, message):
    _rejects(tv.tv_function, answer, message)


def test_tv_function_accepts_the_package_function():
    assert tv.tv_function.check(lambda x: float(total_variation_loss(x.astype("float32"), "l1")))


@pytest.mark.parametrize("answer,message", [(0, "correct TV gives"), (2.0, "sum of the squared"), (0.5, "squares the differences")])
def test_article_flat_batch_rejects(answer, message):
    _rejects(tv.article_flat_batch, answer, message)


def test_article_flat_batch_reference_runs_the_articles_code_in_tensorflow():
    import tensorflow as tf

    image = tf.constant(np.stack([np.full((2, 2, 1), v, "float32") for v in tv.FLAT_LEVELS]))
    dx = image[:, :-1, :, :] - image[:, 1:, :, :]
    dy = image[:-1, :, :, :] - image[1:, :, :, :]
    article = float(tf.reduce_mean(tf.square(dx)) + tf.reduce_mean(tf.square(dy)))
    assert tv.article_flat_batch.reference == pytest.approx(article)


@pytest.mark.parametrize("answer,message", [("tv", "raw tv part is the largest"), ("style", "another part is larger"), ("x", "answer 'content'")])
def test_dominant_part_rejects(answer, message):
    _rejects(mx.dominant_part, answer, message)


@pytest.mark.parametrize("answer,message", [(20.0, "the inverse"), (1e-6, "article's gamma"), (0.5, "the TV part is"), (-1, "positive")])
def test_balance_gamma_rejects(answer, message):
    _rejects(mx.balance_gamma, answer, message)


@pytest.mark.parametrize("answer,message", [("a", "never enter"), ("c", "deterministic"), ("d", "answer 'a'")])
def test_self_content_rejects(answer, message):
    _rejects(mx.self_content, answer, message)


@pytest.mark.parametrize("answer,message", [(100, "throws total_loss away"), (0, "is not it")])
def test_effective_weight_rejects(answer, message):
    _rejects(mx.effective_weight, answer, message)
