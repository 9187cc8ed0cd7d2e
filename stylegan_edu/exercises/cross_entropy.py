"""Exercises for chapter 1, binary cross-entropy.

Example:

>>> from stylegan_edu.exercises import cross_entropy as ex
>>> ex.bce_table.check(ex.bce_table.reference)
✓ Correct: BCE of a small table.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

# ---------------------------------------------------------------------------
# 1. The numerically stable BCE from logits
# ---------------------------------------------------------------------------


def _reference_stable_bce(y, x):
    y, x = np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64)
    return float(np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x)))))


def _check_stable_bce(fn):
    function(fn, "my_bce")
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=16).astype(np.float32)
    x = rng.normal(scale=3.0, size=16).astype(np.float32)
    got = float(np.asarray(fn(y, x)))
    want = _reference_stable_bce(y, x)
    if not math.isfinite(got):
        raise Incorrect("your function returns a non-finite value even on moderate logits.")
    if abs(got + want) < 1e-4 * max(1.0, abs(want)) and want > 0:
        raise Incorrect(f"your result {got:.4f} has the wrong sign: cross-entropy is -[y log p + (1-y) log(1-p)] >= 0.")
    if abs(got - want * len(y)) < 1e-3 * len(y):
        raise Incorrect("your result is the sum over the batch; return the mean (divide by the number of elements).")
    if abs(got - want) > 1e-4 * max(1.0, abs(want)):
        raise Incorrect(f"on random logits your function gives {got:.6f}, the reference {want:.6f}.")
    y_ext = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    x_ext = np.array([100.0, -100.0, -100.0, 100.0], np.float32)
    got = float(np.asarray(fn(y_ext, x_ext)))
    want = _reference_stable_bce(y_ext, x_ext)
    if not math.isfinite(got):
        raise Incorrect(
            "with logits of ±100 your function returns inf or NaN: sigmoid(±100) rounds to exactly 1 or 0 "
            "in float32, and log(0) = -inf. Rewrite the loss in terms of the logit x: "
            "max(x, 0) - x*y + log(1 + exp(-|x|))."
        )
    if abs(got - want) > 1e-3 * max(1.0, abs(want)):
        raise Incorrect(f"with logits of ±100 your function gives {got:.4f}, the reference {want:.4f}: "
                        "the clipping of probabilities loses the true loss of 50.")


stable_bce = Problem(
    "Stable BCE from logits",
    """
    Write `my_bce(y, x)`: the mean binary cross-entropy of targets `y` (0 or 1) and logits `x`
    (numpy arrays of the same shape), stable for logits of ±100 and beyond.
    Then run `stable_bce.check(my_bce)`.
    """,
    _check_stable_bce,
    hint="Write log(sigmoid(x)) and log(1 - sigmoid(x)) in terms of x, then use "
    "log(1 + e^x) = max(x, 0) + log(1 + e^-|x|).",
    solution="""
    def my_bce(y, x):
        # max(x, 0) - x*y + log(1 + exp(-|x|)): never log(0), never exp of a large number
        return np.mean(np.maximum(x, 0) - x * y + np.log1p(np.exp(-np.abs(x))))
    """,
    reference=_reference_stable_bce,
)

# ---------------------------------------------------------------------------
# 2. BCE of a small table, by hand
# ---------------------------------------------------------------------------

TABLE_Y = (1, 0, 1, 0)
TABLE_P = (0.9, 0.2, 0.6, 0.4)
_TABLE_ANSWER = float(np.mean([-math.log(p) if y else -math.log(1 - p) for y, p in zip(TABLE_Y, TABLE_P)]))


def _check_bce_table(value):
    value = number(value)
    terms_e = [-math.log(p) if y else -math.log(1 - p) for y, p in zip(TABLE_Y, TABLE_P)]
    terms_10 = [-math.log10(p) if y else -math.log10(1 - p) for y, p in zip(TABLE_Y, TABLE_P)]
    if abs(value - _TABLE_ANSWER) < 1e-3:
        return
    if abs(value + _TABLE_ANSWER) < 1e-3:
        raise Incorrect("you forgot the minus sign: log p < 0 for p < 1, so the loss has a leading minus.")
    if abs(value - sum(terms_e)) < 1e-3:
        raise Incorrect("that is the sum of the four terms; BCE averages over the examples.")
    if abs(value - float(np.mean(terms_10))) < 1e-3 or abs(value - sum(terms_10)) < 1e-3:
        raise Incorrect("you used log base 10; cross-entropy in nats uses the natural logarithm (np.log).")
    if abs(value - float(np.mean([-math.log(p) for p in TABLE_P]))) < 1e-3:
        raise Incorrect("for the targets y = 0 the term is -log(1 - p), not -log(p).")
    raise Incorrect(f"{value:.4f} is not it. Compute -[y log p + (1-y) log(1-p)] for each row, then average.")


bce_table = Problem(
    "BCE of a small table",
    f"""
    Targets y = {TABLE_Y}, predicted probabilities p = {TABLE_P}.
    What is the mean binary cross-entropy (natural log)? Pass a number: `bce_table.check(0.123)`.
    """,
    _check_bce_table,
    hint="Each row contributes -log(p) if y = 1 and -log(1 - p) if y = 0.",
    solution=f"""
    terms = [-log(0.9), -log(1 - 0.2), -log(0.6), -log(1 - 0.4)]
          = [0.1054, 0.2231, 0.5108, 0.5108]
    mean  = {_TABLE_ANSWER:.4f}
    """,
    reference=_TABLE_ANSWER,
)

# ---------------------------------------------------------------------------
# 3. Which generator loss saturates?
# ---------------------------------------------------------------------------

LOSS_CHOICES = {
    "a": "minimax: L_G = log(1 - D(G(z)))",
    "b": "non-saturating: L_G = -log D(G(z))",
}


_SATURATING_WRONG = {
    "b": "-log D(G(z)) has gradient -1/D with respect to D: it is largest exactly when D(G(z)) is near 0, "
        "so it keeps learning when the discriminator wins. Look at the other one.",
}


saturating_loss = MultipleChoice(
    "Which generator loss saturates",
    """
    Early in training the discriminator wins easily: D(G(z)) ≈ 0. Which generator loss then
    gives the generator (almost) no gradient?
        a) minimax: L_G = log(1 - D(G(z)))
        b) non-saturating: L_G = -log D(G(z))
    Pass 'a' or 'b'.
    """,
    LOSS_CHOICES,
    "a",
    _SATURATING_WRONG,
    hint="Differentiate each loss with respect to the logit of D(G(z)) and evaluate it at a very negative logit.",
    solution="""
    'a'. With D = sigmoid(l), d/dl log(1 - sigmoid(l)) = -sigmoid(l) -> 0 as l -> -inf: the
    gradient vanishes exactly when the generator is worst. d/dl [-log sigmoid(l)] = sigmoid(l) - 1 -> -1:
    the non-saturating loss keeps a full-size gradient.
    """,
)

# ---------------------------------------------------------------------------
# 4. When is BCE zero? (the source article gets this wrong)
# ---------------------------------------------------------------------------


def _check_zero_cases(answer):
    try:
        pairs = {(float(a), float(b)) for a, b in answer}
    except (TypeError, ValueError):
        raise Incorrect("pass a collection of (y, y_hat) pairs, e.g. {(1, 1)}.") from None
    right = {(0.0, 0.0), (1.0, 1.0)}
    if pairs == {(1.0, 1.0)}:
        raise Incorrect("that is what the source article claims, but y = 0, y_hat = 0 gives -log(1 - 0) = 0 too.")
    if pairs - right:
        wrong = sorted(pairs - right)[0]
        raise Incorrect(f"{wrong} gives a positive loss: BCE is zero only where the prediction equals a hard target.")
    if pairs != right:
        raise Incorrect("one case is missing.")


zero_loss_cases = Problem(
    "When BCE is zero",
    """
    For which pairs (y, y_hat) with y in {0, 1} and y_hat in [0, 1] is the binary cross-entropy
    exactly zero? Pass a set of pairs, e.g. `zero_loss_cases.check({(1, 1)})`.
    """,
    _check_zero_cases,
    hint="Check y = 0 as carefully as y = 1.",
    solution="""
    {(0, 0), (1, 1)}: for y = 1 the loss is -log(y_hat) = 0 iff y_hat = 1; for y = 0 it is
    -log(1 - y_hat) = 0 iff y_hat = 0. The article says "only when y = y_hat = 1", which misses the second.
    """,
    reference={(0, 0), (1, 1)},
)

PROBLEMS = (stable_bce, bce_table, saturating_loss, zero_loss_cases)

__all__ = [
    "PROBLEMS", "stable_bce", "TABLE_Y", "TABLE_P", "bce_table", "LOSS_CHOICES", "saturating_loss",
    "zero_loss_cases",
]
