"""Exercises for chapter 8, training stability: vanishing and exploding gradients.

Example:

>>> from stylegan_edu.exercises import training_stability as ex
>>> ex.sigmoid_bound.check(ex.sigmoid_bound.reference)
✓ Correct: How much can ten sigmoids shrink a gradient.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, Problem, function, number


def _close(a, b, rel=1e-3):
    return abs(a - b) <= rel * max(abs(b), 1e-300)


# ---------------------------------------------------------------------------
# 1. The sigmoid's bound on the gradient
# ---------------------------------------------------------------------------

_SIGMOID_BOUND = 0.25**10


def _check_sigmoid_bound(value):
    v = number(value)
    if _close(v, _SIGMOID_BOUND):
        return
    if _close(v, 0.25):
        raise Incorrect("0.25 is the bound for one sigmoid; the chain rule multiplies one such factor per layer.")
    if _close(v, 2.5):
        raise Incorrect("the chain rule multiplies the layers' factors, it does not add them.")
    if _close(v, 0.5**10) or _close(v, 1.0):
        raise Incorrect("the sigmoid's derivative s(1 - s) peaks at s = 1/2, where it is 1/4 (tanh's peaks at 1).")
    raise Incorrect(f"{v:.3g} is not it. What is the largest value of sigmoid'(x), and how many times is it applied?")


sigmoid_bound = Problem(
    "How much can ten sigmoids shrink a gradient",
    """
    A gradient flows back through 10 sigmoid activations (take the weights' factors as 1).
    Each multiplies it by sigmoid'(x) = s(1 - s). What is the largest factor by which the
    gradient at the first layer can be as large as at the last one? Pass a number.
    """,
    _check_sigmoid_bound,
    hint="Find the maximum of s(1 - s) for s in (0, 1), then use the chain rule.",
    solution="""
    max s(1 - s) = 1/4 at s = 1/2, so the factor is at most (1/4)^10 = 9.5e-7: with sigmoids,
    the first layers of a deep network get about a millionth of the gradient of the last one.
    """,
    reference=_SIGMOID_BOUND,
)

# ---------------------------------------------------------------------------
# 2. The saturating generator loss when D wins
# ---------------------------------------------------------------------------

_LOGIT = -5.0
_SAT_GRAD = -1.0 / (1.0 + math.exp(-_LOGIT))  # d/dl log(1 - sigmoid(l)) = -sigmoid(l)
_NONSAT_GRAD = 1.0 / (1.0 + math.exp(-_LOGIT)) - 1.0  # d/dl -log sigmoid(l) = sigmoid(l) - 1


def _check_saturating_gradient(value):
    v = number(value)
    if _close(v, _SAT_GRAD):
        return
    if _close(v, -_SAT_GRAD):
        raise Incorrect("check the sign: log(1 - sigmoid(l)) decreases as l grows.")
    if _close(v, _NONSAT_GRAD) or _close(v, -_NONSAT_GRAD):
        raise Incorrect("that is the gradient of the non-saturating loss -log sigmoid(l); the question asks for log(1 - sigmoid(l)).")
    if _close(v, math.log(1 - 1 / (1 + math.exp(-_LOGIT)))):
        raise Incorrect("that is the loss itself; the question asks for its derivative with respect to the logit.")
    raise Incorrect(f"{v:.4g} is not it. Write sigmoid'(l) = sigmoid(l)(1 - sigmoid(l)) and use the chain rule.")


saturating_gradient = Problem(
    "The saturating loss when D wins",
    f"""
    The discriminator is winning: it gives a fake image the logit l = {_LOGIT:g} (D = sigmoid(l) ≈ 0.0067).
    The minimax (saturating) generator loss is L = log(1 - sigmoid(l)). What is dL/dl at l = {_LOGIT:g}?
    Pass a number (4 significant digits are enough).
    """,
    _check_saturating_gradient,
    hint="d/dl log(1 - sigmoid(l)) = -sigmoid'(l) / (1 - sigmoid(l)), and sigmoid' = sigmoid (1 - sigmoid).",
    solution=f"""
    dL/dl = -sigmoid(l) = {_SAT_GRAD:.6f}: tiny, because D is confident. The non-saturating loss
    -log sigmoid(l) has dL/dl = sigmoid(l) - 1 = {_NONSAT_GRAD:.4f}, about 150 times larger: it learns
    exactly when the generator is worst.
    """,
    reference=_SAT_GRAD,
)

# ---------------------------------------------------------------------------
# 3. He initialisation
# ---------------------------------------------------------------------------

_FAN_IN = 256
_HE_STD = math.sqrt(2.0 / _FAN_IN)


def _check_he_std(value):
    v = number(value)
    if _close(v, _HE_STD):
        return
    if _close(v, 2.0 / _FAN_IN):
        raise Incorrect("that is the variance 2 / fan_in; the initialiser takes the standard deviation, its square root.")
    if _close(v, math.sqrt(1.0 / _FAN_IN)):
        raise Incorrect("sqrt(1 / fan_in) keeps the variance for linear or tanh units; ReLU zeroes half its inputs, so it needs twice the variance.")
    if _close(v, 0.02):
        raise Incorrect("0.02 is DCGAN's choice, which works together with BatchNorm; without it, chapter 8 measures the signal dying layer by layer.")
    raise Incorrect(f"{v:.4g} is not it. Which variance keeps E[h^2] constant from layer to layer with ReLU?")


he_init_std = Problem(
    "He initialisation for ReLU",
    f"""
    A Dense layer with {_FAN_IN} inputs is followed by ReLU. With which standard deviation should its
    weights be drawn from N(0, std^2) so that the activations keep their scale through many such
    layers (He et al., 2015)? Pass a number.
    """,
    _check_he_std,
    hint="Var(h_out) = fan_in * Var(w) * E[h_in^2], and ReLU keeps half of E[z^2].",
    solution=f"""
    Var(w) = 2 / fan_in, so std = sqrt(2 / {_FAN_IN}) = {_HE_STD:.4f}.
    (keras.initializers.HeNormal uses this value, truncated.)
    """,
    reference=_HE_STD,
)

# ---------------------------------------------------------------------------
# 4. Diagnose gradient-norm profiles
# ---------------------------------------------------------------------------

#: per-layer gradient norms, input layer first, as chapter 8 measures them
PROFILES = {
    "A": (1.6e-10, 1.2e-09, 1.4e-07, 1.8e-05, 2.0e-02, 2.2e-01),
    "B": (3.1e08, 3.2e08, 2.4e08, 2.7e08, 4.1e08, 4.8e08),
    "C": (7.3, 7.3, 5.3, 5.6, 7.9, 8.9),
}
_DIAGNOSES = {"A": "vanishing", "B": "exploding", "C": "healthy"}


def _check_diagnoses(answer):
    if not isinstance(answer, dict):
        raise Incorrect("pass a dict, e.g. {'A': 'vanishing', 'B': ..., 'C': ...}.")
    got = {str(k).upper(): str(v).strip().lower() for k, v in answer.items()}
    if set(got) != set(_DIAGNOSES):
        raise Incorrect(f"give a diagnosis for each of {sorted(_DIAGNOSES)}.")
    allowed = {"vanishing", "exploding", "healthy"}
    if not set(got.values()) <= allowed:
        raise Incorrect(f"use the words {sorted(allowed)}.")
    if got["A"] != "vanishing":
        raise Incorrect("look at A's first layer: 1e-10, against 0.2 at the output. A gradient that shrinks layer by layer towards the input is vanishing.")
    if got["B"] != "exploding":
        raise Incorrect("B's norms are similar across layers, but 1e8 is not a usable size for a gradient: it explodes (the forward signal grew with every layer).")
    if got["C"] != "healthy":
        raise Incorrect("C stays within a factor of 2 across layers at a moderate size: that is what a healthy network looks like.")


diagnose_profiles = Problem(
    "Diagnose gradient-norm profiles",
    """
    `PROFILES` holds three networks' per-layer gradient norms, input layer first. Call each
    'vanishing', 'exploding' or 'healthy'. Pass a dict: {'A': ..., 'B': ..., 'C': ...}.
    """,
    _check_diagnoses,
    hint="Compare the first layer with the last, and the size of the numbers with 1.",
    solution="""
    {'A': 'vanishing', 'B': 'exploding', 'C': 'healthy'}. A is the sigmoid network of chapter 8,
    B ReLU with N(0, 1) weights, C ReLU with He initialisation.
    """,
    reference=dict(_DIAGNOSES),
)

# ---------------------------------------------------------------------------
# 5. Extension: the hinge loss of the discriminator
# ---------------------------------------------------------------------------


def _relu(x):
    return np.maximum(x, 0.0)


def _reference_hinge_d_loss(real_logits, fake_logits):
    r = np.asarray(real_logits, np.float64).ravel()  # (N,)
    f = np.asarray(fake_logits, np.float64).ravel()  # (M,)
    return float(np.mean(_relu(1.0 - r)) + np.mean(_relu(1.0 + f)))


def _hinge_mistakes(r, f):
    """(value, message) of typical wrong hinge losses on the logits r (real) and f (fake)."""
    softplus = lambda x: np.logaddexp(0.0, x)  # noqa: E731
    return [
        (np.mean(1.0 - r) + np.mean(1.0 + f),
         "you left out the max(0, .): without it D keeps being rewarded for pushing logits ever further, and "
         "the loss is linear, the Wasserstein critic's plus 2. Clip each term at 0."),
        (np.mean(_relu(1.0 + r)) + np.mean(_relu(1.0 - f)),
         "the signs are swapped: real images should get logits above +1, so charge max(0, 1 - l_real); fakes "
         "below -1, so charge max(0, 1 + l_fake)."),
        (np.mean(_relu(-r)) + np.mean(_relu(f)),
         "the margin is missing: max(0, 1 - l) keeps charging a real image until its logit passes +1, not 0."),
        (np.sum(_relu(1.0 - r)) + np.sum(_relu(1.0 + f)),
         "you summed over the images; take the mean of each part over its batch."),
        (np.mean(f) - np.mean(r),
         "that is the Wasserstein critic's loss, mean(l_fake) - mean(l_real): no margin and no clipping."),
        (_relu(1.0 - np.mean(r)) + _relu(1.0 + np.mean(f)),
         "you clipped the mean logit. Clip each image's term, max(0, 1 - l_i), then average: a confident "
         "image must not hide an unconfident one."),
        (np.mean(np.concatenate([_relu(1.0 - r), _relu(1.0 + f)])),
         "you averaged the real and fake terms together; the batches differ in size here. Average each part "
         "over its own batch, then add the two."),
        (np.mean(softplus(-r)) + np.mean(softplus(f)),
         "that is the cross-entropy (logistic) loss of chapter 1, log(1 + e^(-l)); the hinge loss is piecewise "
         "linear: max(0, 1 - l)."),
    ]


def _check_hinge(fn):
    fn = function(fn, "my_hinge_d_loss", returns="a float (the loss)", scalar=True)
    rng = np.random.default_rng(8)
    r = rng.uniform(-3.0, 3.0, size=7)  # (N,): real logits, some beyond the margin, some not
    f = rng.uniform(-3.0, 3.0, size=4)  # (M,): fake logits; N != M on purpose
    got = float(np.asarray(fn(r.copy(), f.copy()), dtype=np.float64).reshape(()))
    want = _reference_hinge_d_loss(r, f)
    close = lambda a, b: abs(a - b) <= 1e-4 * max(1.0, abs(b))  # noqa: E731
    if close(got, want):
        confident = float(np.asarray(fn(np.array([2.0, 5.0]), np.array([-4.0, -1.5, -9.0])), np.float64).reshape(()))
        if not close(confident, 0.0):
            raise Incorrect(f"when D is right beyond the margin (real logits > 1, fake < -1) the hinge loss is 0, "
                            f"your function gives {confident:.4g}.")
        return
    for value, message in _hinge_mistakes(r, f):
        if close(got, float(value)):
            raise Incorrect(message)
    raise Incorrect(f"on random logits your function gives {got:.4f}, the hinge loss {want:.4f}.")


hinge_d_loss = Problem(
    "Extension: the hinge loss of the discriminator",
    """
    Many GANs after DCGAN (SAGAN, BigGAN) train the discriminator with the hinge loss on
    its raw logits l:
        L_D = mean over real images of max(0, 1 - l_real) + mean over fakes of max(0, 1 + l_fake)
    Write `my_hinge_d_loss(real_logits, fake_logits)` for two 1-D numpy arrays (their lengths may
    differ) that returns one number. Then run `hinge_d_loss.check(my_hinge_d_loss)`.
    """,
    _check_hinge,
    hint="np.maximum(0.0, 1.0 - real_logits) is one term per real image; average it, do the same for the "
    "fakes, add the two means.",
    solution="""
    def my_hinge_d_loss(real_logits, fake_logits):
        real_part = np.mean(np.maximum(0.0, 1.0 - real_logits))  # real logits should exceed +1
        fake_part = np.mean(np.maximum(0.0, 1.0 + fake_logits))  # fake logits should stay below -1
        return real_part + fake_part

    Its gradient with respect to a logit is -1/N (real) or +1/M (fake) while the image is on the wrong
    side of the margin, and 0 once it is beyond it: D stops pushing images it already classifies with
    margin, which keeps its logits from growing without bound. The generator minimises -mean(l_fake),
    whose gradient -1/M does not shrink however confident D is: no saturation, unlike log(1 - sigmoid(l)).
    """,
    reference=_reference_hinge_d_loss,
)

PROBLEMS = (sigmoid_bound, saturating_gradient, he_init_std, diagnose_profiles, hinge_d_loss)

__all__ = [
    "PROBLEMS", "sigmoid_bound", "saturating_gradient", "he_init_std", "PROFILES", "diagnose_profiles",
    "hinge_d_loss",
]
