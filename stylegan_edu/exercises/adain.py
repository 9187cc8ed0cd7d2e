"""Exercises for chapter 12, style as statistics: AdaIN, the kernel view of style losses, demodulation.

Example:

>>> from stylegan_edu.exercises import adain as ex
>>> ex.adain_value.check(ex.adain_value.reference)
✓ Correct: AdaIN of one value by hand.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

__all__ = ["adain_value", "style_kernel", "correlated_channels", "gaussian_mmd", "PROBLEMS"]

# ---------------------------------------------------------------------------
# 1. AdaIN of one value, by hand
# ---------------------------------------------------------------------------

#: One channel of a content feature map (2 x 3 positions), and the style's statistics for that channel.
CONTENT_CHANNEL = ((1.0, 3.0, 3.0), (5.0, 7.0, 5.0))
STYLE_MEAN, STYLE_STD = 10.0, 3.0
#: The value (row 1, column 1) whose AdaIN output is asked for.
PICKED = CONTENT_CHANNEL[1][1]

_VALUES = np.array(CONTENT_CHANNEL, np.float64).ravel()
_MU = float(_VALUES.mean())
_SIGMA = float(_VALUES.std())  # population std (divide by N, as instance normalisation does)
_SIGMA_SAMPLE = float(_VALUES.std(ddof=1))
_ADAIN = STYLE_STD * (PICKED - _MU) / _SIGMA + STYLE_MEAN


def _check_adain_value(answer):
    value = number(answer)
    if math.isclose(value, _ADAIN, rel_tol=0, abs_tol=5e-3):
        return
    if math.isclose(value, STYLE_STD * (PICKED - _MU) / _SIGMA_SAMPLE + STYLE_MEAN, abs_tol=5e-3):
        raise Incorrect("you divided by N - 1 (the sample standard deviation). Instance normalisation, like "
                        "np.std, divides by N: the statistics describe this feature map, they estimate nothing.")
    if math.isclose(value, STYLE_STD * (PICKED - _MU) / _SIGMA**2 + STYLE_MEAN, abs_tol=5e-3):
        raise Incorrect("you divided by the variance. Normalise with the standard deviation, its square root.")
    if math.isclose(value, STYLE_STD * (PICKED - _MU) + STYLE_MEAN, abs_tol=5e-3):
        raise Incorrect("you skipped the division by the content's standard deviation: the content's own "
                        "spread must be removed before the style's is applied.")
    if math.isclose(value, (PICKED - _MU) / _SIGMA, abs_tol=5e-3):
        raise Incorrect("that is the instance-normalised value. AdaIN then scales it by the style's standard "
                        "deviation and adds the style's mean.")
    if math.isclose(value, STYLE_STD * PICKED / _SIGMA + STYLE_MEAN, abs_tol=5e-3):
        raise Incorrect("subtract the content channel's mean before dividing by its standard deviation.")
    raise Incorrect(f"AdaIN maps {PICKED:g} to another value (received {value:g}). Compute the channel's mean "
                    "and standard deviation over its 6 positions first.")


adain_value = Problem(
    "AdaIN of one value by hand",
    f"""
    One channel of a content feature map holds (2 rows, 3 columns)
        {CONTENT_CHANNEL[0]}
        {CONTENT_CHANNEL[1]}
    The style image's features have, in the same channel, mean {STYLE_MEAN:g} and standard
    deviation {STYLE_STD:g}. What does AdaIN (epsilon = 0) map the value {PICKED:g}
    (row 2, column 2) to? Pass a number, to 2 decimals or better.
    """,
    _check_adain_value,
    hint="Mean of the six values, then their standard deviation (divide by 6, not 5). Normalise the value, "
    "then give it the style's statistics: sigma_s * (x - mu) / sigma + mu_s.",
    solution=f"""
    mu = mean{tuple(float(v) for v in _VALUES)} = {_MU:g}
    sigma = sqrt(mean((x - mu)^2)) = sqrt({_SIGMA**2:.4g}) = {_SIGMA:.4f}
    AdaIN({PICKED:g}) = {STYLE_STD:g} * ({PICKED:g} - {_MU:g}) / {_SIGMA:.4f} + {STYLE_MEAN:g} = {_ADAIN:.4f}
    """,
    reference=round(_ADAIN, 4),
)

# ---------------------------------------------------------------------------
# 2. Which kernel is the Gram matrix?
# ---------------------------------------------------------------------------

KERNELS = {
    "a": "k(x, y) = x . y  (linear)",
    "b": "k(x, y) = (x . y)^2  (quadratic)",
    "c": "k(x, y) = (x . y + 1)^2",
    "d": "k(x, y) = exp(-|x - y|^2 / (2 s^2))  (Gaussian)",
}

style_kernel = MultipleChoice(
    "The Gram loss as an MMD",
    """
    Treat the feature vectors at the positions of a layer (one C-vector per position)
    as samples. The squared maximum mean discrepancy between the image's samples f_i
    and the painting's s_j, with kernel k, is
        MMD^2 = mean_ij k(f_i, f_j) + mean_ij k(s_i, s_j) - 2 mean_ij k(f_i, s_j).
    With which kernel is MMD^2 exactly |G_f - G_s|^2, the squared Frobenius norm of the
    difference of the normalised Gram matrices G = F^T F / (HW)?
        a: k(x, y) = x . y  (linear)
        b: k(x, y) = (x . y)^2  (quadratic)
        c: k(x, y) = (x . y + 1)^2
        d: k(x, y) = exp(-|x - y|^2 / (2 s^2))  (Gaussian)
    Answer 'a', 'b', 'c' or 'd'.
    """,
    KERNELS,
    "b",
    {
        "a": "the linear kernel gives MMD^2 = |mu_f - mu_s|^2: it compares the channel means only, "
        "not the correlations between channels that the Gram matrix holds.",
        "c": "(x . y + 1)^2 = (x . y)^2 + 2 x . y + 1: its MMD^2 is |G_f - G_s|^2 + 2 |mu_f - mu_s|^2, "
        "the Gram loss plus twice the mean loss. Close, but not exactly the Gram loss.",
        "d": "the Gaussian kernel matches all moments of the two distributions, not only the second ones; "
        "Li et al. (2017) try it as an alternative style loss.",
    },
    hint="Expand sum_cd (G_cd)^2 with G = (1/M) sum_i f_i f_i^T: each term is a product of two dot products.",
    solution="""
    'b'. |G|_F^2 = sum_cd (1/M sum_i f_ic f_id)^2 = 1/M^2 sum_ij (f_i . f_j)^2,
    and the cross term sum_cd G_f,cd G_s,cd = 1/(M N) sum_ij (f_i . s_j)^2:
    every term is the quadratic kernel.
    """,
)

# ---------------------------------------------------------------------------
# 3. Demodulation with correlated channels
# ---------------------------------------------------------------------------

NUM_CHANNELS = 4
_CORRELATED_STD = math.sqrt(NUM_CHANNELS)  # d = 1/sqrt(C) and the sum of C equal copies has std C


def _check_correlated_channels(answer):
    value = number(answer)
    if math.isclose(value, _CORRELATED_STD, abs_tol=1e-2):
        return
    if math.isclose(value, 1.0, abs_tol=1e-2):
        raise Incorrect("1 is what demodulation promises for independent channels. Here the four channels "
                        "carry the same signal: their contributions add up coherently, not in quadrature.")
    if math.isclose(value, float(NUM_CHANNELS), abs_tol=1e-2):
        raise Incorrect(f"that is the output before demodulation: the sum of {NUM_CHANNELS} equal "
                        "unit-variance copies. Now multiply by the demodulation coefficient d.")
    if math.isclose(value, 1.0 / math.sqrt(NUM_CHANNELS), abs_tol=1e-2):
        raise Incorrect("that is the demodulation coefficient d itself. Multiply it by the std of the "
                        "undemodulated output.")
    raise Incorrect(f"not quite (received {value:g}). Compute d = 1 / sqrt(sum_i (s_i w_i)^2) first, "
                    "then the std of d * sum_i s_i w_i x.")


correlated_channels = Problem(
    "Demodulation when the channels are correlated",
    f"""
    A 1x1 modulated convolution has {NUM_CHANNELS} input channels and one output channel,
    weights w = (1, 1, 1, 1), style s = (1, 1, 1, 1), and demodulation on (epsilon = 0).
    Every input channel carries the SAME signal x, with mean 0 and standard deviation 1
    (the channels are perfectly correlated). What is the standard deviation of the
    output? Pass a number.
    """,
    _check_correlated_channels,
    hint="The output is d * sum_i s_i w_i x_i with d = 1 / sqrt(sum_i (s_i w_i)^2). Here all x_i are the same x.",
    solution=f"""
    d = 1 / sqrt(4 * 1^2) = 0.5, and the output is 0.5 * (x + x + x + x) = 2 x:
    standard deviation {_CORRELATED_STD:g}, not 1. Demodulation assumes independent inputs;
    with correlated ones it misjudges the output's scale (by up to sqrt(C)), which is
    why it is only an approximation of AdaIN.
    """,
    reference=_CORRELATED_STD,
)

# ---------------------------------------------------------------------------
# 4. Extension: MMD with a Gaussian kernel
# ---------------------------------------------------------------------------

BANDWIDTH = 1.5


def _gaussian_kernel(a, b, bandwidth):
    """exp(-|a_i - b_j|^2 / (2 bandwidth^2)) for every pair of rows, shape (M, N)."""
    d2 = np.sum(a**2, 1)[:, None] + np.sum(b**2, 1)[None, :] - 2.0 * a @ b.T  # (M, N)
    return np.exp(-np.maximum(d2, 0.0) / (2.0 * bandwidth**2))


def _reference_gaussian_mmd(x, y, bandwidth):
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)  # (M, C), (N, C)
    k = lambda a, b: _gaussian_kernel(a, b, bandwidth)  # noqa: E731
    return float(k(x, x).mean() + k(y, y).mean() - 2.0 * k(x, y).mean())


def _unbiased_gaussian_mmd(x, y, bandwidth):
    """The unbiased estimator (diagonal left out): a typical mistake the checker names."""
    x, y = np.asarray(x, np.float64), np.asarray(y, np.float64)
    m, n = len(x), len(y)
    kxx, kyy = _gaussian_kernel(x, x, bandwidth), _gaussian_kernel(y, y, bandwidth)
    return float((kxx.sum() - np.trace(kxx)) / (m * (m - 1)) + (kyy.sum() - np.trace(kyy)) / (n * (n - 1))
                 - 2.0 * _gaussian_kernel(x, y, bandwidth).mean())


def _gaussian_mmd_cases():
    rng = np.random.default_rng(12)
    x = rng.normal(size=(40, 3))  # (M, C)
    y = rng.normal(0.5, 1.3, size=(30, 3))  # (N, C): other mean and spread, another count
    return [(x, y), (x, x.copy()), (y, x), (x[:5], y[:7] * 2.0)]


def _check_gaussian_mmd(answer):
    fn = function(answer, "my_mmd")
    for x, y in _gaussian_mmd_cases():
        got = fn(x, y, BANDWIDTH)
        if got is None:
            raise Incorrect("your function returned None; it should return a float (did you forget `return`?).")
        try:
            got = float(got)
        except (TypeError, ValueError):
            raise Incorrect(f"your function returned {type(got).__name__}; it should return one float.") from None
        want = _reference_gaussian_mmd(x, y, BANDWIDTH)
        if math.isclose(got, want, rel_tol=1e-4, abs_tol=1e-8):
            continue
        if math.isclose(got, _unbiased_gaussian_mmd(x, y, BANDWIDTH), rel_tol=1e-4, abs_tol=1e-8):
            raise Incorrect("you left out the diagonal k(x_i, x_i) (the unbiased estimator). The exercise asks "
                            "for the biased one: every mean over all pairs, i = j included, as the Gram loss does.")
        if math.isclose(got, _reference_gaussian_mmd(x, y, math.sqrt(BANDWIDTH)), rel_tol=1e-4, abs_tol=1e-8):
            raise Incorrect("the bandwidth enters squared: exp(-|x - y|^2 / (2 s^2)), not / (2 s).")
        if x is not y and np.array_equal(x, y) and abs(got) > 1e-8:
            raise Incorrect(f"two identical samples must give MMD^2 = 0; yours gives {got:.4g}. "
                            "Check the factor 2 on the cross term.")
        raise Incorrect(f"for samples of shapes {x.shape} and {y.shape} your MMD^2 is {got:.6g}, expected "
                        f"{want:.6g}. Check the sign and the factor 2 of the cross term.")


gaussian_mmd = Problem(
    "Extension: a Gaussian-kernel style distance",
    f"""
    Li et al. (2017) also try a Gaussian kernel instead of the quadratic one. Write
    `my_mmd(x, y, bandwidth)` for numpy arrays x (M, C) and y (N, C) that returns the
    biased MMD^2
        mean_ij k(x_i, x_j) + mean_ij k(y_i, y_j) - 2 mean_ij k(x_i, y_j),
        k(a, b) = exp(-|a - b|^2 / (2 bandwidth^2)),
    with every mean over all pairs (i = j included). It is checked with bandwidth = {BANDWIDTH}.
    Then run `gaussian_mmd.check(my_mmd)`.
    """,
    _check_gaussian_mmd,
    hint="Pairwise squared distances: |a|^2 + |b|^2 - 2 a.b, with broadcasting ([:, None] and [None, :]). "
    "Then np.exp of minus that over 2 bandwidth^2, and .mean() of each of the three matrices.",
    solution="""
    def my_mmd(x, y, bandwidth):
        def k(a, b):
            d2 = (a**2).sum(1)[:, None] + (b**2).sum(1)[None, :] - 2 * a @ b.T  # (M, N)
            return np.exp(-d2 / (2 * bandwidth**2))
        return k(x, x).mean() + k(y, y).mean() - 2 * k(x, y).mean()
    """,
    reference=_reference_gaussian_mmd,
)

PROBLEMS = (adain_value, style_kernel, correlated_channels, gaussian_mmd)
