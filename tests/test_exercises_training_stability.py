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


def test_warmup_reference_agrees_with_keras_cosine_decay_warmup():
    """Keras' CosineDecay ramps linearly from its initial rate to warmup_target over warmup_steps steps;
    from base_lr / W over W - 1 steps, with alpha=1.0 (no decay), it is the same schedule."""
    import keras

    def keras_warmup(step, base_lr, warmup_steps):
        schedule = keras.optimizers.schedules.CosineDecay(
            base_lr / warmup_steps, decay_steps=1, alpha=1.0, warmup_target=base_lr, warmup_steps=warmup_steps - 1)
        return float(schedule(step))

    for base_lr, warmup_steps in [(1e-3, 10), (0.5, 30), (2e-4, 1), (3.0, 4)]:
        for step in [0, 1, warmup_steps // 2, warmup_steps - 1, warmup_steps, 5 * warmup_steps]:
            want = keras_warmup(step, base_lr, warmup_steps)
            assert ex.lr_warmup.reference(step, base_lr, warmup_steps) == pytest.approx(want, rel=1e-5)
    assert ex.lr_warmup.check(keras_warmup).outcome is Outcome.CORRECT


def test_warmup_prompt_example():
    # the prompt's example: base_lr = 0.001, warmup_steps = 4
    rates = [ex.lr_warmup.reference(k, 0.001, 4) for k in range(6)]
    assert rates == pytest.approx([0.00025, 0.0005, 0.00075, 0.001, 0.001, 0.001])


def test_warmup_accepts_the_chapter_lambda_and_an_interpolation():
    assert ex.lr_warmup.check(lambda s, b, w: b * min(1.0, (s + 1) / w)).outcome is Outcome.CORRECT
    interpolated = lambda s, b, w: b / w + (b - b / w) * s / (w - 1) if s < w - 1 else b  # noqa: E731
    assert ex.lr_warmup.check(interpolated).outcome is Outcome.CORRECT
    assert ex.lr_warmup.check(lambda s, b, w: np.array([b * min(1.0, (s + 1) / w)])).outcome is Outcome.CORRECT


def _geometric(s, b, w):
    return b * w ** (min(s, w - 1) / (w - 1) - 1) if w > 1 else b


@pytest.mark.parametrize(
    "answer,message",
    [
        (lambda s, b, w: b * min(1.0, s / w), "at step 0 your rate is 0"),
        (lambda s, b, w: b * min(1.0, (s + 1) / (w + 1)), "one step late"),
        (lambda s, b, w: b * (s + 1) / w, "keeps growing past base_lr"),
        (lambda s, b, w: b * min(1.5, (s + 1) / w), "exceeds base_lr"),
        (lambda s, b, w: b / w, "never reaches base_lr"),
        (lambda s, b, w: b * min(0.9, (s + 1) / w), "never reaches base_lr"),
        (lambda s, b, w: b * min(1.0, 0.9 * (s + 1) / w), "reaches base_lr too late"),
        (_geometric, "geometric (exponential)"),
        (lambda s, b, w: b * min(1.0, ((s + 1) / w) ** 2), "at step 0 your rate is 1e-05"),
        (lambda s, b, w: b * min(1, (s + 1) // w), "integer division"),
        (lambda s, b, w: min(1.0, (s + 1) / w), "times base_lr"),
        (lambda s, b, w: b, "that is no warm-up"),
        (lambda s, b, w: 0.5 * min(1.0, (s + 1) / 30), "use the arguments"),
        (lambda s, b, w: b / w + (b - b / w) * min(s, w - 1) / (w - 1), "divides by zero"),
        (lambda s, b, w: np.array([b * min(1.0, (t + 1) / w) for t in range(s + 1)]), "reduce it to one number"),
        (lambda s, b, w: None, "returned None"),
        (lambda s, b, w: float("nan"), "finite number"),
        (0.001, "pass your function"),
    ],
)
def test_lr_warmup_rejects(answer, message):
    _incorrect(ex.lr_warmup, answer, message)


def test_lr_warmup_speeding_up_ramp_is_not_linear():
    def convex(s, b, w):  # right at step 0 and from step w - 1 on, but the increments grow
        if s >= w - 1 or w == 1:
            return b
        return b / w + (b - b / w) * (s / (w - 1)) ** 2

    _incorrect(ex.lr_warmup, convex, "speeds up")


def test_lr_warmup_unfinished_is_not_attempted():
    def todo(step, base_lr, warmup_steps):
        raise NotImplementedError

    assert ex.lr_warmup.check(todo).outcome is Outcome.NOT_ATTEMPTED
    assert ex.lr_warmup.check(lambda s, b, w: ____).outcome is Outcome.NOT_ATTEMPTED
    assert ex.lr_warmup.check(lambda s, b, w: b * ____).outcome is Outcome.NOT_ATTEMPTED
