"""Chapter 6 and 7 exercise checkers: accept the reference, reject typical mistakes with the right message."""

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import mixed_loss as mx
from stylegan_edu.exercises import total_variation as tv
from stylegan_edu.losses import content_loss, gram_matrix, style_loss, total_variation_loss, total_variation_map

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


def test_isotropic_tv_reference_agrees_with_the_packages_map():
    """Isotropic TV = the sum of the per-pixel roots of the package's squared (L2) TV map (one channel)."""
    img = np.asarray(tv.IMAGE_3X3, "float32")[None, :, :, None]  # (1, 3, 3, 1)
    squared_lengths = np.asarray(total_variation_map(img, "l2"))[0]  # (3, 3): dy^2 + dx^2, 0 past the edge
    assert tv.isotropic_tv.reference == pytest.approx(float(np.sqrt(squared_lengths).sum()))
    assert tv.isotropic_tv.reference < tv.tv_by_hand.reference  # sqrt(a^2 + b^2) <= |a| + |b|


@pytest.mark.parametrize(
    "answer,message",
    [(8, "anisotropic TV of exercise 1"), (12, "squared (L2) TV"), (12**0.5, "one square root of the total"),
     (2 + 2 * 2**0.5, "last row or column"), ((4 + 2 * 2**0.5) / 9, "mean over the 9"), (7, "is not it"),
     ("eight", "one number")],
)
def test_isotropic_tv_rejects(answer, message):
    _rejects(tv.isotropic_tv, answer, message)


def test_mu_at_double_size_reference_follows_from_the_package_losses():
    """Feature maps at twice the side, each position repeated 2x2: the mu that keeps style / content."""
    rng = np.random.default_rng(7)
    F, P = (rng.normal(size=(1, 4, 6, 5)).astype("float32") for _ in range(2))  # (B, H, W, C)
    factor = mx.SIDE_NEW // mx.SIDE_TUNED
    up = lambda x: np.repeat(np.repeat(x, factor, axis=1), factor, axis=2)  # noqa: E731
    c1, c2 = float(content_loss(F, P)), float(content_loss(up(F), up(P)))
    s1, s2 = float(style_loss(F, gram_matrix(P))), float(style_loss(up(F), gram_matrix(up(P))))
    mu = mx.ARTICLE_WEIGHTS["style"] * (c2 / c1) / (s2 / s1)
    assert mx.mu_at_double_size.check(mu).outcome is Outcome.CORRECT
    assert mx.mu_at_double_size.reference == pytest.approx(mu, rel=1e-4)


@pytest.mark.parametrize(
    "answer,message",
    [(100, "a *sum* over positions"), (200, "grows 2 x 2 = 4 times"), (25, "must grow with the content part"),
     (1600, "squared the factor"), (300, "0.75 times"), (-1, "positive"), ("x", "one number")],
)
def test_mu_at_double_size_rejects(answer, message):
    _rejects(mx.mu_at_double_size, answer, message)
