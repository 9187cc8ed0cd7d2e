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


def _naive_bce(y, x):
    p = 1 / (1 + np.exp(-x))
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _clipped_bce(y, x):
    p = np.clip(1 / (1 + np.exp(-x)), 1e-7, 1 - 1e-7)
    return np.mean(-(y * np.log(p) + (1 - y) * np.log(1 - p)))


def _todo(y, x):
    raise NotImplementedError


@pytest.mark.parametrize(
    "answer,message",
    [
        (_naive_bce, "inf or NaN"),
        (_clipped_bce, "clipping of probabilities"),
        (lambda y, x: -ex._reference_stable_bce(y, x), "wrong sign"),
        (lambda y, x: ex._reference_stable_bce(y, x) * len(y), "sum over the batch"),
        (lambda y, x: 1 / 0, "ZeroDivisionError"),
    ],
)
def test_stable_bce_rejects_typical_mistakes(answer, message):
    with np.errstate(all="ignore"):
        result = ex.stable_bce.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message


def test_stable_bce_unfinished_function_is_not_attempted():
    assert ex.stable_bce.check(_todo).outcome is Outcome.NOT_ATTEMPTED


@pytest.mark.parametrize(
    "answer,message",
    [(-0.3375, "minus sign"), (1.35, "sum of the four terms"), (0.1466, "log base 10"), (0.7855, "-log(1 - p)"), ("abc", "one number")],
)
def test_bce_table_rejects_typical_mistakes(answer, message):
    result = ex.bce_table.check(answer)
    assert result.outcome is Outcome.INCORRECT and message in result.message, result.message


def test_saturating_loss():
    assert "keeps learning" in ex.saturating_loss.check("b").message
    assert "'a' or 'b'" in ex.saturating_loss.check("c").message
    assert ex.saturating_loss.check(" A ").outcome is Outcome.CORRECT


def test_zero_loss_cases():
    assert "source article" in ex.zero_loss_cases.check({(1, 1)}).message
    assert "positive loss" in ex.zero_loss_cases.check({(1, 1), (0, 1)}).message
    assert "missing" in ex.zero_loss_cases.check({(0, 0)}).message
    assert "pairs" in ex.zero_loss_cases.check(3).message
