import math

import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import training_stability as ex


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def _incorrect(problem, answer, message):
    result = problem.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


@pytest.mark.parametrize(
    "answer,message", [(0.25, "for one sigmoid"), (2.5, "does not add"), (0.5**10, "peaks at s = 1/2"), ("x", "one number")]
)
def test_sigmoid_bound_rejects(answer, message):
    _incorrect(ex.sigmoid_bound, answer, message)


def test_sigmoid_bound_value_is_independent():
    # the sigmoid's derivative at its peak, by finite differences
    s = lambda x: 1 / (1 + math.exp(-x))  # noqa: E731
    peak = (s(1e-6) - s(-1e-6)) / 2e-6
    assert ex.sigmoid_bound.check(peak**10).outcome is Outcome.CORRECT


@pytest.mark.parametrize("answer,message", [(0.006693, "sign"), (-0.9933, "non-saturating"), (-0.006715, "the loss itself")])
def test_saturating_gradient_rejects(answer, message):
    _incorrect(ex.saturating_gradient, answer, message)


def test_saturating_gradient_matches_finite_difference():
    f = lambda l: math.log(1 - 1 / (1 + math.exp(-l)))  # noqa: E731
    fd = (f(-5 + 1e-6) - f(-5 - 1e-6)) / 2e-6
    assert ex.saturating_gradient.check(fd).outcome is Outcome.CORRECT


@pytest.mark.parametrize("answer,message", [(2 / 256, "variance"), (1 / 16, "tanh"), (0.02, "BatchNorm")])
def test_he_init_std_rejects(answer, message):
    _incorrect(ex.he_init_std, answer, message)


@pytest.mark.parametrize(
    "answer,message",
    [
        ({"A": "exploding", "B": "exploding", "C": "healthy"}, "vanishing"),
        ({"A": "vanishing", "B": "healthy", "C": "healthy"}, "explodes"),
        ({"A": "vanishing", "B": "exploding", "C": "vanishing"}, "healthy network"),
        ({"A": "vanishing"}, "each of"),
        (["vanishing"], "pass a dict"),
        ({"A": "small", "B": "big", "C": "ok"}, "use the words"),
    ],
)
def test_diagnose_profiles_rejects(answer, message):
    _incorrect(ex.diagnose_profiles, answer, message)


def test_diagnose_profiles_accepts_any_case():
    assert ex.diagnose_profiles.check({"a": "Vanishing", "b": "EXPLODING", "c": "healthy "}).outcome is Outcome.CORRECT


def test_hinge_reference_agrees_with_keras_hinge():
    """L_D = hinge(+1, real logits) + hinge(-1, fake logits), with Keras' own hinge loss."""
    import keras

    rng = np.random.default_rng(3)
    real, fake = rng.normal(0, 2, size=9).astype("float32"), rng.normal(0, 2, size=5).astype("float32")
    want = float(keras.losses.hinge(np.ones_like(real), real)) + float(keras.losses.hinge(-np.ones_like(fake), fake))
    assert ex.hinge_d_loss.reference(real, fake) == pytest.approx(want, rel=1e-5)
    assert ex.hinge_d_loss.check(lambda r, f: float(keras.losses.hinge(np.ones_like(r), r))
                                 + float(keras.losses.hinge(-np.ones_like(f), f))).outcome is Outcome.CORRECT


def _relu(x):
    return np.maximum(x, 0.0)


@pytest.mark.parametrize(
    "answer,message",
    [
        (lambda r, f: (1 - r).mean() + (1 + f).mean(), "left out the max(0, .)"),
        (lambda r, f: _relu(1 + r).mean() + _relu(1 - f).mean(), "signs are swapped"),
        (lambda r, f: _relu(-r).mean() + _relu(f).mean(), "margin is missing"),
        (lambda r, f: _relu(1 - r).sum() + _relu(1 + f).sum(), "summed over the images"),
        (lambda r, f: f.mean() - r.mean(), "Wasserstein critic"),
        (lambda r, f: _relu(1 - r.mean()) + _relu(1 + f.mean()), "clipped the mean logit"),
        (lambda r, f: _relu(np.concatenate([1 - r, 1 + f])).mean(), "its own batch"),
        (lambda r, f: np.logaddexp(0, -r).mean() + np.logaddexp(0, f).mean(), "cross-entropy"),
        (lambda r, f: _relu(1 - r), "reduce it to one number"),
        (lambda r, f: 1.0, "the hinge loss"),
        (3.0, "pass your function"),
    ],
)
def test_hinge_d_loss_rejects(answer, message):
    _incorrect(ex.hinge_d_loss, answer, message)


def test_hinge_d_loss_unfinished_is_not_attempted():
    def todo(real_logits, fake_logits):
        raise NotImplementedError

    assert ex.hinge_d_loss.check(todo).outcome is Outcome.NOT_ATTEMPTED


def test_hinge_d_loss_must_vanish_beyond_the_margin():
    def floor(r, f):  # right on the random logits, but never lets D's loss reach 0
        return max(ex.hinge_d_loss.reference(r, f), 0.1)

    _incorrect(ex.hinge_d_loss, floor, "beyond the margin")
