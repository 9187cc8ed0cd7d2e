import numpy as np
import pytest

from stylegan_edu.exercises import Outcome, ____
from stylegan_edu.exercises import cross_entropy as ex


@pytest.mark.parametrize("problem", ex.PROBLEMS, ids=lambda p: p.title)
def test_reference_is_accepted_and_blank_is_not_attempted(problem):
    assert problem.check(problem.reference).outcome is Outcome.CORRECT
    assert problem.check(____).outcome is Outcome.NOT_ATTEMPTED
    assert problem.check().outcome is Outcome.NOT_ATTEMPTED
    assert problem.hint().body and problem.solution().body


def _naive_bce(y, x, w):
    p = 1 / (1 + np.exp(-x))
    return np.mean(-(w * y * np.log(p) + (1 - y) * np.log(1 - p)))


def _clipped_bce(y, x, w):
    p = np.clip(1 / (1 + np.exp(-x)), 1e-7, 1 - 1e-7)
    return np.mean(-(w * y * np.log(p) + (1 - y) * np.log(1 - p)))


def _todo(y, x, w):
    raise NotImplementedError


def test_weighted_bce_reference_is_tensorflow_s():
    tf = pytest.importorskip("tensorflow")
    rng = np.random.default_rng(1)
    y, x = rng.integers(0, 2, 11).astype("float32"), (rng.normal(size=11) * 5).astype("float32")
    for w in (0.5, 1.0, 4.0):
        want = float(tf.reduce_mean(tf.nn.weighted_cross_entropy_with_logits(y, x, w)))
        assert abs(ex._reference_stable_bce(y, x, w) - want) < 1e-5


def test_weighted_bce_solution_text_is_right():
    namespace = {"np": np}
    exec(ex.stable_bce.solution().body.split("\nWith w = 1")[0], namespace)  # the code part of the solution
    assert ex.stable_bce.check(namespace["my_weighted_bce"]).outcome is Outcome.CORRECT


@pytest.mark.parametrize(
    "answer,message",
    [
        (_naive_bce, "inf or NaN"),
        (_clipped_bce, "clipping the probabilities"),
        (lambda y, x, w: -ex._reference_stable_bce(y, x, w), "wrong sign"),
        (lambda y, x, w: ex._reference_stable_bce(y, x, w) * len(y), "sum over the batch"),
        (lambda y, x, w: ex._reference_stable_bce(y, x), "ignores w"),
        (lambda y, x, w: w * ex._reference_stable_bce(y, x), "whole loss by w"),
        (lambda y, x, w: ex._reference_stable_bce(1 - y, -x, w), "weighted the fake examples"),
        (lambda y, x: ex._reference_stable_bce(y, x), "TypeError"),  # the chapter's bce_stable, re-typed
        (lambda y, x, w: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_stable_bce_rejects_typical_mistakes(answer, message):
    with np.errstate(all="ignore"):
        result = ex.stable_bce.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_stable_bce_unfinished_function_is_not_attempted():
    assert ex.stable_bce.check(_todo).outcome is Outcome.NOT_ATTEMPTED


def _logit_table_mean(log=np.log, sign=1.0, all_real=False):
    y, x = np.array(ex.TABLE_Y, float), np.array(ex.TABLE_LOGITS, float)
    p = 1 / (1 + np.exp(-sign * x))
    return float(np.mean(-np.where((y == 1) | all_real, log(p), log(1 - p))))


def test_bce_table_reference_is_keras_from_logits():
    keras = pytest.importorskip("keras")
    got = float(keras.losses.BinaryCrossentropy(from_logits=True)(np.array(ex.TABLE_Y, "float32")[:, None],
                                                                   np.array(ex.TABLE_LOGITS, "float32")[:, None]))
    assert abs(got - ex.bce_table.reference) < 1e-5


def test_bce_table_is_not_the_chapter_s_table():
    # Section 1.4 prints the BCE of y = (1, 0, 1, 0), p = (0.9, 0.2, 0.6, 0.4): 0.3375. The exercise must differ.
    assert abs(ex.bce_table.reference - 0.3375) > 0.1


@pytest.mark.parametrize(
    "answer,message",
    [
        (-_logit_table_mean(), "minus sign"),
        (4 * _logit_table_mean(), "sum of the four terms"),
        (_logit_table_mean(np.log10), "log base 10"),
        (_logit_table_mean(np.log2), "in bits"),
        (_logit_table_mean(all_real=True), "-log(1 - p)"),
        (_logit_table_mean(sign=-1.0), "a positive logit means 'real'"),
        (1.5, "these are logits, not losses"),
        (float("nan"), "not a finite number"),
        ("abc", "one number"),
    ],
)
def test_bce_table_rejects_typical_mistakes(answer, message):
    result = ex.bce_table.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_smoothed_minimum_is_the_minimum_of_the_package_loss():
    from stylegan_edu import losses

    q = np.linspace(0.01, 0.99, 981)
    values = [float(losses.binary_cross_entropy([ex.SMOOTH_TARGET], [float(v)])) for v in q[::20]]
    best_loss, best_q = ex.smoothed_minimum.reference
    assert min(values) >= best_loss - 1e-6
    assert abs(float(losses.binary_cross_entropy([ex.SMOOTH_TARGET], [best_q])) - best_loss) < 1e-6


@pytest.mark.parametrize(
    "answer,message",
    [
        ((0.0, 1.0), "infinite"),
        ((0.0, 0.9), "never reaches 0"),
        ((0.1054, 0.9), "keeps only the y log y_hat term"),
        ((0.4690, 0.9), "in bits"),
        ((0.1412, 0.9), "log base 10"),
        ((0.3251, 0.5), "loss is right"),
        ((0.2, 0.9), "y_hat is right"),
        ((0.5, 0.7), "is not it"),
        (0.3251, "pass a pair"),
        (("low", 0.9), "a number for the loss"),
    ],
)
def test_smoothed_minimum_rejects_typical_mistakes(answer, message):
    result = ex.smoothed_minimum.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_saturating_loss():
    assert "keeps learning" in ex.saturating_loss.check("b").message
    assert "Only one of the two is flat" in ex.saturating_loss.check("c").message
    assert "not a small gradient" in ex.saturating_loss.check("d").message
    assert "one of 'a', 'b', 'c', 'd'" in ex.saturating_loss.check("e").message
    assert ex.saturating_loss.check(" A ").outcome is Outcome.CORRECT


def test_zero_loss_cases():
    assert "source article" in ex.zero_loss_cases.check({(1, 1)}).message
    assert "positive loss" in ex.zero_loss_cases.check({(1, 1), (0, 1)}).message
    assert "missing" in ex.zero_loss_cases.check({(0, 0)}).message
    assert "pairs" in ex.zero_loss_cases.check(3).message
