"""Exercises for chapter 13, a style-based generator: truncation, demodulation, style swaps, slerp.

Example:

>>> from stylegan_edu.exercises import stylegan as ex
>>> ex.truncation_zero.check("b")
✓ Correct: What psi = 0 produces.
"""

import math
import numbers

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

__all__ = ["truncation_zero", "demodulation_coefficient", "class_swap_layers", "my_slerp", "PROBLEMS"]

# ---------------------------------------------------------------------------
# 1. What does psi = 0 produce?
# ---------------------------------------------------------------------------

truncation_zero = MultipleChoice(
    "What psi = 0 produces",
    """
    The truncation trick maps each w to w' = w_bar + psi (w - w_bar). You draw 16 different
    z, set psi = 0 and keep the noise inputs fixed (noise="const"). What do you get?
        a: 16 different garments, each a bit blurrier than at psi = 1
        b: one and the same image 16 times: the image of w_bar
        c: 16 blank (all -1) images: w' = 0 switches every style off
        d: 16 images of pure noise
    Answer 'a', 'b', 'c' or 'd'.
    """,
    ("a", "b", "c", "d"),
    "b",
    {
        "a": "with psi = 0 the term psi (w - w_bar) is 0 for every z: nothing of z is left to make the "
        "images differ. (Blurrier-but-different is what a psi between 0 and 1 gives.)",
        "c": "w' = w_bar, not 0: w_bar is the running average of w seen in training, and its styles are "
        "ordinary ones (each affine layer adds its bias, 1, too).",
        "d": "the noise inputs are fixed here, and they only add small details anyway; the styles of w_bar "
        "decide the image.",
    },
    hint="Substitute psi = 0 into w' = w_bar + psi (w - w_bar). Does z still appear?",
    solution="""
    'b'. w' = w_bar + 0 (w - w_bar) = w_bar for every z, so with fixed noise every image is g(w_bar):
    the generator's 'average' garment. Chapter 13 checks it: the largest pixel difference between the
    16 images is exactly 0.
    """,
)

# ---------------------------------------------------------------------------
# 2. A demodulation coefficient by hand
# ---------------------------------------------------------------------------

#: A 1 x 1 modulated convolution: three input channels, one output channel (the effective weights).
WEIGHTS = (2.0, -1.0, 2.0)
STYLE = (0.5, 1.0, 2.0)
_MODULATED = [s * w for s, w in zip(STYLE, WEIGHTS)]
_DEMOD = 1.0 / math.sqrt(sum(v * v for v in _MODULATED))


def _check_demodulation(answer):
    value = number(answer)
    if math.isclose(value, _DEMOD, abs_tol=5e-4):
        return
    wrong = {
        1.0 / sum(v * v for v in _MODULATED): "you left out the square root: d = 1 / sqrt(sum of squares), "
        "so that the output's standard deviation, not its variance, becomes 1.",
        1.0 / math.sqrt(sum(w * w for w in WEIGHTS)): "you used the weights without the style. Demodulation "
        "normalises the *modulated* weights s_i w_i, the ones the convolution really applies.",
        1.0 / abs(sum(_MODULATED)): "you summed the modulated weights before squaring. Square each s_i w_i "
        "first: the variances of independent inputs add, their signs do not matter.",
        math.sqrt(sum(v * v for v in _MODULATED)): "that is the norm itself; the coefficient is its inverse.",
    }
    for v, message in wrong.items():
        if math.isclose(value, v, abs_tol=5e-4):
            raise Incorrect(message)
    raise Incorrect(f"not quite (received {value:g}). Multiply each weight by its channel's style, square, "
                    "sum, take the square root, invert.")


demodulation_coefficient = Problem(
    "A demodulation coefficient by hand",
    f"""
    A 1x1 modulated convolution has 3 input channels and 1 output channel, with weights
    w = {WEIGHTS} and the style s = {STYLE} for this sample. What is the demodulation
    coefficient d (epsilon = 0) of the output channel? Pass a number, to 3 decimals or better.
    """,
    _check_demodulation,
    hint="d_j = 1 / sqrt(sum_i (s_i w_ij)^2): modulate each weight by its input channel's style first.",
    solution=f"""
    s_i w_i = {tuple(_MODULATED)}; squares sum to {sum(v * v for v in _MODULATED):g};
    d = 1 / sqrt({sum(v * v for v in _MODULATED):g}) = {_DEMOD:.4f}.
    ModulatedConv2D.demodulation(style) computes the same (tests/test_exercises_stylegan.py checks it).
    """,
    reference=round(_DEMOD, 5),
)

# ---------------------------------------------------------------------------
# 3. Which styles to swap to change the class but keep the fine detail
# ---------------------------------------------------------------------------

#: The pairs and the threshold the checker measures with.
SWAP_PAIRS, SWAP_SEED, SWAP_MIN_CHANGE = 500, 2024, 0.8
#: The shipped generator's w indices whose layers all run at 32 x 32 (the finest detail).
FINE_INDICES = (5, 6, 7)


def swap_change_rate(indices, num_pairs=SWAP_PAIRS, seed=SWAP_SEED, generator=None):
    """How often A's predicted class changes when B's styles replace A's at ``indices`` (fixed noise).

    Args:
        indices: w indices taken from B.
        num_pairs: pairs (A, B) of latents.
        seed: seeds the latents.
        generator: default ``pretrained.stylegan_generator("fashion_mnist")``.

    Returns:
        float: the share of pairs whose class changes.
    """
    from stylegan_edu import latent_space, pretrained

    g = pretrained.stylegan_generator("fashion_mnist") if generator is None else generator
    rng = np.random.default_rng(seed)
    w_a = np.asarray(g.mapping(rng.standard_normal((num_pairs, g.latent_dim)).astype(np.float32)))  # (N, w_dim)
    w_b = np.asarray(g.mapping(rng.standard_normal((num_pairs, g.latent_dim)).astype(np.float32)))
    _, before, _ = latent_space.generated_classes(g, ws=np.asarray(g.broadcast(w_a)))
    _, after, _ = latent_space.generated_classes(g, ws=np.asarray(latent_space.swap_styles(w_a, w_b, indices, g.num_ws)))
    return float(np.mean(before != after))


def _check_swap(answer):
    if isinstance(answer, (str, bytes)) or not hasattr(answer, "__iter__"):
        raise Incorrect(f"pass a list of w indices, e.g. [0, 1], not {type(answer).__name__}.")
    indices = list(answer)
    if not indices or any(isinstance(i, bool) or not isinstance(i, numbers.Integral) or not 0 <= i < 8 for i in indices):
        raise Incorrect(f"pass a non-empty list of w indices between 0 and 7 (received {indices!r}).")
    fine = sorted(set(indices) & set(FINE_INDICES))
    if fine:
        raise Incorrect(f"you swapped w{fine} too: those styles reach only the 32 x 32 layers, where A's fine "
                        "detail lives. Keep them from A.")
    rate = swap_change_rate(indices)
    if rate < SWAP_MIN_CHANGE:
        raise Incorrect(f"with B's styles at {sorted(set(indices))} the class changes in only {100 * rate:.0f}% of "
                        f"{SWAP_PAIRS} pairs (goal: {100 * SWAP_MIN_CHANGE:.0f}%). The garment's type is decided "
                        "early: swap the styles of the lowest resolutions.")


class_swap_layers = Problem(
    "Swap the class, keep the detail",
    f"""
    The shipped generator reads 8 styles, w0..w7 (generator.synthesis.style_layers() lists
    which layers read which: w0 the 4x4 convolution, ..., w5..w7 only 32x32 layers).
    Choose the w indices to take from B so that image A changes its class (by the feature
    net) in at least {100 * SWAP_MIN_CHANGE:.0f}% of {SWAP_PAIRS} pairs, while every 32x32 layer keeps A's style.
    Pass a list of indices, e.g. class_swap_layers.check([3, 4]). The checker measures it.
    """,
    _check_swap,
    hint="Chapter 13's crossover plot: how fast does the class follow B as k grows from 0?",
    solution="""
    [0, 1] or [0, 1, 2]: the 4x4 and 8x8 layers. With B's styles there the class becomes B's in
    about 82% ([0, 1]) and 89% ([0, 1, 2]) of pairs (the chapter's crossover cell measures it);
    the 16x16 and 32x32 layers, still A's, keep A's shading and edges.
    """,
    reference=[0, 1, 2],
)

# ---------------------------------------------------------------------------
# 4. Extension: slerp, the path in z of the perceptual path length
# ---------------------------------------------------------------------------


def _slerp_cases():
    rng = np.random.default_rng(7)
    a, b = rng.normal(size=(5, 64)), rng.normal(size=(5, 64))
    return [(a, b, 0.3), (a, b, 0.0), (a, b, 1.0), (a[:1], -a[:1] + 0.1 * b[:1], 0.5), (a, b, rng.uniform(size=5))]


def _reference_slerp(a, b, t):
    from stylegan_edu.latent_space import slerp

    return slerp(a, b, t)


def _check_slerp(answer):
    from stylegan_edu.latent_space import slerp

    fn = function(answer, "my_slerp", returns="an array (B, D)")
    for a, b, t in _slerp_cases():
        got = fn(a, b, t)
        try:
            got = np.asarray(got, np.float64)
        except (TypeError, ValueError):
            raise Incorrect(f"your function returned {type(got).__name__}; it should return an array (B, D).") from None
        want = slerp(a, b, t)
        if got.shape != want.shape:
            raise Incorrect(f"for a and b of shape {a.shape} your result has shape {got.shape}, expected {want.shape}.")
        if np.allclose(got, want, atol=1e-6):
            continue
        t_col = np.asarray(t, np.float64).reshape(-1, 1)
        an, bn = a / np.linalg.norm(a, axis=1, keepdims=True), b / np.linalg.norm(b, axis=1, keepdims=True)
        lerp = (1 - t_col) * an + t_col * bn
        if np.allclose(got, lerp, atol=1e-6) or np.allclose(got, (1 - t_col) * a + t_col * b, atol=1e-6):
            raise Incorrect("that is the straight line (lerp). Slerp follows the great circle: weights "
                            "sin((1-t) Omega) / sin(Omega) and sin(t Omega) / sin(Omega).")
        if np.allclose(got / np.linalg.norm(got, axis=1, keepdims=True), want, atol=1e-6):
            raise Incorrect("right direction, wrong length: normalise a and b first, so that the result has unit norm.")
        raise Incorrect(f"for t = {np.round(t, 3)!r} your points differ from slerp's by up to "
                        f"{np.abs(got - want).max():.3g}. Omega is arccos of the normalised vectors' dot product.")


my_slerp = Problem(
    "Extension: slerp",
    """
    The perceptual path length walks z along a great circle. Write my_slerp(a, b, t) for
    numpy arrays a, b of shape (B, D) and t a float or an array (B,), that normalises a and b
    to unit length and returns
        sin((1 - t) Omega) / sin(Omega) * a + sin(t Omega) / sin(Omega) * b,
    Omega the angle between the normalised a and b, row by row. Then run my_slerp.check(my_slerp).
    """,
    _check_slerp,
    hint="Omega = np.arccos(np.clip((a * b).sum(1, keepdims=True), -1, 1)) after normalising; reshape t to (-1, 1).",
    solution="""
    def my_slerp(a, b, t):
        a = a / np.linalg.norm(a, axis=1, keepdims=True)
        b = b / np.linalg.norm(b, axis=1, keepdims=True)
        t = np.asarray(t, float).reshape(-1, 1)
        omega = np.arccos(np.clip((a * b).sum(1, keepdims=True), -1, 1))
        return (np.sin((1 - t) * omega) * a + np.sin(t * omega) * b) / np.sin(omega)
    """,
    reference=_reference_slerp,
)

PROBLEMS = (truncation_zero, demodulation_coefficient, class_swap_layers, my_slerp)
