"""Exercises for chapter 1, binary cross-entropy.

Example:

>>> from stylegan_edu.exercises import cross_entropy as ex
>>> ex.bce_table.check(ex.bce_table.reference)
✓ Correct: BCE of a table of logits.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

# ---------------------------------------------------------------------------
# 1. A weighted BCE from logits, stable (not the chapter's bce_stable re-typed)
# ---------------------------------------------------------------------------


def _softplus_np(v):
    return np.maximum(v, 0) + np.log1p(np.exp(-np.abs(v)))


def _reference_stable_bce(y, x, w=1.0):
    """mean(-[w y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]) = mean(w y softplus(-x) + (1 - y) softplus(x))."""
    y, x = np.asarray(y, dtype=np.float64), np.asarray(x, dtype=np.float64)
    return float(np.mean(w * y * _softplus_np(-x) + (1 - y) * _softplus_np(x)))


def _check_stable_bce(fn):
    fn = function(fn, "my_weighted_bce", returns="a float (the mean loss)", scalar=True)
    rng = np.random.default_rng(0)
    y = rng.integers(0, 2, size=16).astype(np.float32)
    x = rng.normal(scale=3.0, size=16).astype(np.float32)
    w = 3.0
    got = float(np.asarray(fn(y.copy(), x.copy(), w)))
    want = _reference_stable_bce(y, x, w)
    close = lambda a, b: abs(a - b) < 1e-4 * max(1.0, abs(b))  # noqa: E731
    if not math.isfinite(got):
        raise Incorrect("your function returns a non-finite value even on moderate logits.")
    if close(got, -want):
        raise Incorrect(f"your result {got:.4f} has the wrong sign: cross-entropy is -[w y log p + (1-y) log(1-p)] >= 0.")
    if close(got, want * len(y)):
        raise Incorrect("your result is the sum over the batch; return the mean (divide by the number of elements).")
    if close(got, _reference_stable_bce(y, x, 1.0)):
        raise Incorrect("your result ignores w: each real example's term (y = 1) must count w times.")
    if close(got, w * _reference_stable_bce(y, x, 1.0)):
        raise Incorrect("you multiplied the whole loss by w; w weights only the real examples' term, y log p.")
    swapped = float(np.mean(y * _softplus_np(-x.astype(np.float64)) + w * (1 - y) * _softplus_np(x.astype(np.float64))))
    if close(got, swapped):
        raise Incorrect("you weighted the fake examples (y = 0); w belongs to the real ones, the y log p term.")
    if not close(got, want):
        raise Incorrect(f"on random logits with w = {w} your function gives {got:.6f}, the reference {want:.6f}.")
    y_ext = np.array([1.0, 0.0, 1.0, 0.0], np.float32)
    x_ext = np.array([100.0, -100.0, -100.0, 100.0], np.float32)
    got = float(np.asarray(fn(y_ext.copy(), x_ext.copy(), w)))
    want = _reference_stable_bce(y_ext, x_ext, w)
    if not math.isfinite(got):
        raise Incorrect(
            "with logits of ±100 your function returns inf or NaN: sigmoid(±100) rounds to exactly 1 or 0 "
            "in float32, and log(0) = -inf. Write both terms in terms of the logit x: "
            "-log sigmoid(x) = softplus(-x) and -log(1 - sigmoid(x)) = softplus(x), with "
            "softplus(v) = max(v, 0) + log(1 + exp(-|v|))."
        )
    if abs(got - want) > 1e-3 * max(1.0, abs(want)):
        raise Incorrect(f"with logits of ±100 your function gives {got:.4f}, the reference {want:.4f}: "
                        "clipping the probabilities loses the true loss there.")


stable_bce = Problem(
    "A weighted BCE from logits, stable",
    """
    When real examples are rare, a classifier's loss often weights them: each real example (y = 1)
    counts w times, L = mean(-[w y log sigmoid(x) + (1 - y) log(1 - sigmoid(x))]).
    Write `my_weighted_bce(y, x, w)` for targets y (0 or 1), logits x (numpy arrays of the same shape)
    and a weight w > 0, stable for logits of ±100 and beyond. Then run `stable_bce.check(my_weighted_bce)`.
    """,
    _check_stable_bce,
    hint="Write -log(sigmoid(x)) and -log(1 - sigmoid(x)) in terms of x alone: both are softplus functions, "
    "softplus(v) = log(1 + e^v) = max(v, 0) + log(1 + e^-|v|). Then weight the first one.",
    solution="""
    def softplus(v):
        return np.maximum(v, 0) + np.log1p(np.exp(-np.abs(v)))   # log(1 + e^v), never overflows

    def my_weighted_bce(y, x, w):
        # -log sigmoid(x) = softplus(-x),  -log(1 - sigmoid(x)) = softplus(x)
        return np.mean(w * y * softplus(-x) + (1 - y) * softplus(x))

    With w = 1 this is the chapter's bce_stable. TensorFlow calls it tf.nn.weighted_cross_entropy_with_logits.
    """,
    reference=_reference_stable_bce,
)

# ---------------------------------------------------------------------------
# 2. BCE of a small table of logits, by hand
# ---------------------------------------------------------------------------

TABLE_Y = (1, 1, 0, 0)
TABLE_LOGITS = (2.0, -1.0, 0.0, 3.0)  # what a discriminator outputs; the last one is a confident mistake


def _softplus(v):
    return math.log1p(math.exp(-abs(v))) + max(v, 0.0)


def _table_terms(log=math.log, flip=False, all_real=False):
    """The per-row losses -[y log p + (1-y) log(1-p)] with p = sigmoid(x), and the mistakes' variants."""
    terms = []
    for y, x in zip(TABLE_Y, TABLE_LOGITS):
        p = 1 / (1 + math.exp(x if flip else -x))
        terms.append(-log(p) if (y or all_real) else -log(1 - p))
    return terms


_TABLE_ANSWER = float(np.mean([_softplus(-x) if y else _softplus(x) for y, x in zip(TABLE_Y, TABLE_LOGITS)]))


def _check_bce_table(value):
    value = number(value)
    close = lambda a: abs(value - a) < 1e-3  # noqa: E731
    if close(_TABLE_ANSWER):
        return
    if close(-_TABLE_ANSWER):
        raise Incorrect("you forgot the minus sign: log p < 0 for p < 1, so the loss has a leading minus.")
    if close(sum(_table_terms())):
        raise Incorrect("that is the sum of the four terms; BCE averages over the examples.")
    if close(float(np.mean(_table_terms(math.log10)))):
        raise Incorrect("you used log base 10; cross-entropy in nats uses the natural logarithm (np.log).")
    if close(float(np.mean(_table_terms(math.log2)))):
        raise Incorrect("that is the loss in bits (log base 2); the question asks for nats (natural log).")
    if close(float(np.mean(_table_terms(all_real=True)))):
        raise Incorrect("for the targets y = 0 the term is -log(1 - p), not -log(p).")
    if close(float(np.mean(_table_terms(flip=True)))):
        raise Incorrect("p = sigmoid(x) = 1 / (1 + e^(-x)): a positive logit means 'real' (p > 0.5). "
                        "You used 1 / (1 + e^x).")
    if close(float(np.mean(np.abs(TABLE_LOGITS)))) or close(float(np.mean(TABLE_LOGITS))):
        raise Incorrect("these are logits, not losses: turn each into p = sigmoid(x) first.")
    raise Incorrect(f"{value:.4f} is not it. Turn each logit into p = sigmoid(x), compute -[y log p + (1-y) log(1-p)] "
                    "for each row, then average.")


bce_table = Problem(
    "BCE of a table of logits",
    f"""
    A discriminator outputs the logits x = {TABLE_LOGITS} for four examples with targets
    y = {TABLE_Y} (1: real, 0: fake). What is their mean binary cross-entropy (natural log)?
    Work it out by hand or with numpy, then pass a number: `bce_table.check(0.123)`.
    """,
    _check_bce_table,
    hint="Logits are not probabilities: p = sigmoid(x) = 1 / (1 + e^(-x)). Then each row contributes "
    "-log(p) if y = 1 and -log(1 - p) if y = 0.",
    solution=f"""
    p = sigmoid(x) = [0.8808, 0.2689, 0.5, 0.9526]
    terms = [-log(0.8808), -log(0.2689), -log(1 - 0.5), -log(1 - 0.9526)]
          = [0.1269, 1.3133, 0.6931, 3.0486]
    mean  = {_TABLE_ANSWER:.4f}
    The confident mistake (a fake scored 3.0) costs more than the other three rows together.
    In code: losses.binary_cross_entropy(y, x, from_logits=True).
    """,
    reference=_TABLE_ANSWER,
)

# ---------------------------------------------------------------------------
# 3. Which generator loss saturates?
# ---------------------------------------------------------------------------

LOSS_CHOICES = {
    "a": "minimax: L_G = log(1 - D(G(z)))",
    "b": "non-saturating: L_G = -log D(G(z))",
    "c": "both: with D(G(z)) ≈ 0 every loss of D(G(z)) is flat",
    "d": "neither, as long as the loss is computed from logits",
}


_SATURATING_WRONG = {
    "b": "-log D(G(z)) has gradient -1/D with respect to D: it is largest exactly when D(G(z)) is near 0, "
        "so it keeps learning when the discriminator wins. Look at the other one.",
    "c": "not every loss: -log D(G(z)) is steep near D = 0 (its derivative with respect to D is -1/D), and so is its "
        "gradient with respect to the logit, sigmoid(l) - 1 -> -1. Only one of the two is flat there.",
    "d": "computing from logits fixes inf and NaN (section 1.4), not a small gradient: d/dl log(1 - sigmoid(l)) "
        "= -sigmoid(l) is tiny for a very negative logit however it is computed.",
}


saturating_loss = MultipleChoice(
    "Which generator loss saturates",
    """
    Early in training the discriminator wins easily: D(G(z)) ≈ 0. Which generator loss then
    gives the generator (almost) no gradient?
        a) minimax: L_G = log(1 - D(G(z)))
        b) non-saturating: L_G = -log D(G(z))
        c) both: with D(G(z)) ≈ 0 every loss of D(G(z)) is flat
        d) neither, as long as the loss is computed from logits
    Pass a letter.
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

# ---------------------------------------------------------------------------
# 5. Extension: the smallest loss with a smoothed label
# ---------------------------------------------------------------------------

SMOOTH_TARGET = 0.9


def _smoothed_bce(q, y=SMOOTH_TARGET):
    return -(y * math.log(q) + (1 - y) * math.log(1 - q))


_SMOOTH_MIN = _smoothed_bce(SMOOTH_TARGET)


def _check_smoothed_minimum(answer):
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__len__") or len(answer) != 2:
        raise Incorrect("pass a pair (smallest loss, y_hat where it is reached), e.g. (0.5, 0.7).")
    loss, y_hat = number(answer[0], what="a number for the loss"), number(answer[1], what="a number for y_hat")
    y = SMOOTH_TARGET
    if abs(y_hat - 1.0) < 1e-9:
        raise Incorrect("at y_hat = 1 the term (1 - y) log(1 - y_hat) = 0.1 * log 0 makes the loss infinite: "
                        "with a smoothed target, a fully confident prediction is punished without bound.")
    if abs(loss) < 1e-6:
        raise Incorrect("with a target of 0.9 the BCE never reaches 0: BCE(y, y_hat) = H(y) + KL(y || y_hat), "
                        "and only the KL part can vanish.")
    if abs(loss - (-math.log(y))) < 1e-3:
        raise Incorrect("-log 0.9 keeps only the y log y_hat term; with y = 0.9 the (1 - y) log(1 - y_hat) term is active too.")
    if abs(loss - _SMOOTH_MIN / math.log(2)) < 1e-3:
        raise Incorrect("that is the minimum in bits (log base 2); answer in nats (natural log).")
    if abs(loss - _SMOOTH_MIN / math.log(10)) < 1e-3:
        raise Incorrect("you used log base 10; answer in nats (natural log).")
    loss_ok, y_hat_ok = abs(loss - _SMOOTH_MIN) < 1e-3, abs(y_hat - y) < 1e-3
    if loss_ok and not y_hat_ok:
        raise Incorrect(f"the loss is right, but it is reached where the KL part vanishes, not at y_hat = {y_hat:g}.")
    if y_hat_ok and not loss_ok:
        raise Incorrect(f"y_hat is right, but the loss there is -[0.9 log 0.9 + 0.1 log 0.1], not {loss:g}.")
    if not (loss_ok and y_hat_ok):
        raise Incorrect(f"({loss:g}, {y_hat:g}) is not it. Differentiate -[y log q + (1 - y) log(1 - q)] "
                        "with respect to q and set it to 0.")


smoothed_minimum = Problem(
    "The smallest loss with a smoothed label",
    f"""
    Extension. One-sided label smoothing (Salimans et al., 2016) trains the discriminator with the
    target y = {SMOOTH_TARGET} instead of 1 for real images, so that it is never pushed towards
    infinite logits. With y = {SMOOTH_TARGET}, what is the smallest BCE (in nats) any prediction
    y_hat in (0, 1) can reach, and at which y_hat? Pass a pair: `smoothed_minimum.check((loss, y_hat))`.
    """,
    _check_smoothed_minimum,
    hint="Write BCE(y, q) = H(y) + KL(y || q), as in section 1.3, or set the derivative with respect to q to zero.",
    solution=f"""
    ({_SMOOTH_MIN:.4f}, 0.9). d/dq -[y log q + (1 - y) log(1 - q)] = (q - y) / (q (1 - q)) = 0 at q = y,
    and there the loss is the entropy H(0.9) = -[0.9 log 0.9 + 0.1 log 0.1] = {_SMOOTH_MIN:.4f} nats.
    The discriminator is now rewarded for saying 0.9, not for pushing its logit towards infinity:
    at q = 0.99 the loss is already {_smoothed_bce(0.99):.4f} again.
    Check: losses.binary_cross_entropy([0.9], [0.9]) gives {_SMOOTH_MIN:.4f}.
    """,
    reference=(_SMOOTH_MIN, SMOOTH_TARGET),
)

PROBLEMS = (stable_bce, bce_table, saturating_loss, zero_loss_cases, smoothed_minimum)

__all__ = [
    "PROBLEMS", "stable_bce", "TABLE_Y", "TABLE_LOGITS", "bce_table", "LOSS_CHOICES", "saturating_loss",
    "zero_loss_cases", "SMOOTH_TARGET", "smoothed_minimum",
]
