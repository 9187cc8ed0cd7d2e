"""Exercises for chapter 5, the Gram matrix and the style loss.

Example:

>>> from stylegan_edu.exercises import style_loss as ex
>>> ex.gram_fn.check(ex.gram_fn.reference)
✓ Correct: Gram matrix from scratch.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, function, number

# ---------------------------------------------------------------------------
# 1. The Gram matrix from scratch
# ---------------------------------------------------------------------------


def _reference_gram(F):
    F = np.asarray(F, np.float64)
    b, h, w, c = F.shape
    flat = F.reshape(b, h * w, c)  # (B, HW, C)
    return np.einsum("bnc,bnd->bcd", flat, flat) / (h * w)  # (B, C, C)


def _check_gram(fn):
    fn = function(fn, "my_gram", returns="an array of shape (B, C, C)")
    rng = np.random.default_rng(5)
    F = rng.normal(size=(2, 3, 5, 4)).astype(np.float32)  # (B, H, W, C), H != W, C != H, W
    b, h, w, c = F.shape
    want = _reference_gram(F)
    try:
        got = np.asarray(fn(F), dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect("your function must return an array of shape (B, C, C).") from None
    if got.shape == (b, h * w, h * w):
        raise Incorrect(f"your result has shape {got.shape}: you multiplied over channels, giving position-by-position "
                        "products. The Gram matrix compares channels: (B, C, C), summing over positions.")
    if got.shape == (c, c):
        raise Incorrect("your result has no batch axis: return one (C, C) matrix per image, shape (B, C, C).")
    if got.shape != want.shape:
        raise Incorrect(f"your result has shape {got.shape}; expected (B, C, C) = {want.shape}.")
    close = lambda x, y: np.allclose(x, y, rtol=1e-4, atol=1e-4)  # noqa: E731
    if close(got, want):
        return
    if close(got, want * h * w):
        raise Incorrect("not normalised: divide by the number of positions H*W, so that the Gram matrix "
                        "does not grow with the image size.")
    if close(got, want / c):
        raise Incorrect("you divided by H*W*C; the normalisation here is by H*W only (positions, not channels).")
    mixed = np.einsum("bnc,and->bcd", F.reshape(b, h * w, c), F.reshape(b, h * w, c)) / (h * w)
    if close(got, mixed) or close(got, np.broadcast_to(mixed.sum(0) / b, got.shape)):
        raise Incorrect("your products mix different images of the batch; each image gets its own Gram matrix.")
    raise Incorrect("on random features your result differs from the reference G_cd = 1/(HW) sum_ij F_ijc F_ijd.")


gram_fn = Problem(
    "Gram matrix from scratch",
    """
    Write `my_gram(F)` for a numpy array F of shape (B, H, W, C): for each image, the (C, C)
    matrix G_cd = 1/(H W) * sum over positions (i, j) of F_ijc * F_ijd. Return shape (B, C, C).
    Then run `gram_fn.check(my_gram)`.
    """,
    _check_gram,
    hint="Reshape F to (B, H*W, C); then the product of its transpose with itself, per image, sums "
    "over positions: np.einsum('bnc,bnd->bcd', ...) or flat.transpose(0, 2, 1) @ flat.",
    solution="""
    def my_gram(F):
        B, H, W, C = F.shape
        flat = F.reshape(B, H * W, C)                           # (B, HW, C)
        return flat.transpose(0, 2, 1) @ flat / (H * W)          # (B, C, C)
    """,
    reference=_reference_gram,
)

# ---------------------------------------------------------------------------
# 2. A Gram matrix by hand
# ---------------------------------------------------------------------------

#: One image, 2x2 positions, 2 channels: channel 0 is a diagonal, channel 1 the top row.
HAND_CHANNEL_0 = ((1.0, 0.0), (0.0, 1.0))
HAND_CHANNEL_1 = ((1.0, 1.0), (0.0, 0.0))
_HAND_F = np.stack([np.array(HAND_CHANNEL_0), np.array(HAND_CHANNEL_1)], axis=-1)[None]  # (1, 2, 2, 2)
_HAND_ANSWER = _reference_gram(_HAND_F)[0]  # [[0.5, 0.25], [0.25, 0.5]]


def _check_hand_gram(answer):
    try:
        g = np.asarray(answer, dtype=np.float64)
    except (TypeError, ValueError):
        raise Incorrect("pass a 2x2 matrix, e.g. [[0, 0], [0, 0]].") from None
    if g.shape != (2, 2):
        raise Incorrect(f"pass a 2x2 matrix (channels by channels); received shape {g.shape}.")
    if np.allclose(g, _HAND_ANSWER):
        return
    if np.allclose(g, 4 * _HAND_ANSWER):
        raise Incorrect("you forgot to divide by the number of positions, H*W = 4.")
    if np.allclose(g, _HAND_ANSWER / 2):
        raise Incorrect("divide by the number of positions H*W = 4 only, not by H*W*C = 8.")
    if not np.allclose(g, g.T):
        raise Incorrect("a Gram matrix is symmetric: G_01 = G_10, since F_0 F_1 = F_1 F_0 at each position.")
    raise Incorrect(f"{g.tolist()} is not it: multiply the two channel maps position by position, sum, divide by 4.")


hand_gram = Problem(
    "A Gram matrix by hand",
    f"""
    One image with 2x2 positions and 2 channels:
        channel 0 = {[list(r) for r in HAND_CHANNEL_0]}
        channel 1 = {[list(r) for r in HAND_CHANNEL_1]}
    What is its Gram matrix G (2x2, normalised by H*W)? Pass it as nested lists.
    """,
    _check_hand_gram,
    hint="G_00 = mean of channel0 * channel0 over the 4 positions; G_01 = mean of channel0 * channel1.",
    solution=f"""
    G_00 = (1 + 0 + 0 + 1) / 4 = 0.5     (channel 0 with itself)
    G_11 = (1 + 1 + 0 + 0) / 4 = 0.5
    G_01 = G_10 = (1*1 + 0*1 + 0*0 + 1*0) / 4 = 0.25   (both are on only at the top-left)
    G = {_HAND_ANSWER.tolist()}
    """,
    reference=_HAND_ANSWER.tolist(),
)

# ---------------------------------------------------------------------------
# 3. What the Gram matrix forgets
# ---------------------------------------------------------------------------

FORGET_CHOICES = {
    "a": "it stays exactly the same",
    "b": "it changes, because the positions changed",
    "c": "it becomes zero",
}


_FORGET_WRONG = {
    "b": "the Gram matrix sums over all positions: a sum does not depend on the order of "
        "its terms. That is exactly why it describes texture (style) and not layout (content).",
    "c": "the diagonal G_cc is the mean of F_c^2 over positions, which no rearrangement changes; "
        "it is not zero unless the features are.",
}


gram_forgets_layout = MultipleChoice(
    "What the Gram matrix forgets",
    """
    Take a feature map F (B, H, W, C) and shuffle its H*W positions at random (the same shuffle
    for every channel). What happens to its Gram matrix?
        a) it stays exactly the same
        b) it changes, because the positions changed
        c) it becomes zero
    Pass 'a', 'b' or 'c'.
    """,
    FORGET_CHOICES,
    "a",
    _FORGET_WRONG,
    hint="Write G_cd as a sum over positions. Does a sum care about the order of its terms?",
    solution="""
    'a'. G_cd = 1/(HW) sum_n F_nc F_nd: a sum over positions n, so any permutation of the positions
    leaves it unchanged. The Gram matrix keeps which features occur together and how strongly, and
    throws away where: the definition of a texture. (Check it: tests/test_losses_content_style.py.)
    """,
)

# ---------------------------------------------------------------------------
# 4. Extension: the style loss of a contrast change
# ---------------------------------------------------------------------------

#: Y = CONTRAST * X: every feature of exercise 2's map multiplied, as for the same texture with more contrast.
CONTRAST = 2.0


def _single_layer_style_loss(F, A):
    """The package's style loss for one layer and one image: 1/C^2 sum_cd (G(F)_cd - A_cd)^2."""
    G = _reference_gram(F)[0]  # (C, C)
    return float(np.sum((G - A) ** 2) / G.shape[-1] ** 2)


_C = _HAND_F.shape[-1]
_HW = _HAND_F.shape[1] * _HAND_F.shape[2]
_G_X = _HAND_ANSWER  # (C, C): the target A = G(X)
_G_Y = _reference_gram(CONTRAST * _HAND_F)[0]  # (C, C)
_CONTRAST_LOSS = _single_layer_style_loss(CONTRAST * _HAND_F, _G_X)


def _check_contrast_loss(value):
    value = number(value)
    close = lambda a, b: abs(a - b) <= 1e-3 * max(1.0, abs(b))  # noqa: E731
    if close(value, _CONTRAST_LOSS):
        return
    diff = _G_Y - _G_X  # (C, C)
    if close(value, float(np.sum((CONTRAST * _G_X - _G_X) ** 2)) / _C**2):
        raise Incorrect(f"you scaled the Gram matrix by {CONTRAST:g}, like the features. G_cd multiplies two "
                        f"features, so it grows {CONTRAST:g} x {CONTRAST:g} = {CONTRAST**2:g} times.")
    if close(value, float(np.sum(diff**2))):
        raise Incorrect(f"you forgot the 1/C^2 in front: the package averages over the C^2 = {_C**2} entries of the "
                        "Gram matrix.")
    if close(value, float(np.sum(diff**2)) / _C):
        raise Incorrect(f"divide by C^2 = {_C**2}, the number of Gram entries, not by C = {_C}.")
    if close(value, float(np.sum(np.abs(diff))) / _C**2):
        raise Incorrect("the style loss squares the differences of the Gram entries; you took their absolute values.")
    if close(value, float(np.sum(_G_Y**2)) / _C**2):
        raise Incorrect("that is 1/C^2 sum G(Y)^2: subtract the target A = G(X) before squaring.")
    if close(value, float(np.sum((_HW * diff) ** 2)) / _C**2):
        raise Incorrect(f"you used Gram matrices without the 1/(H W) = 1/{_HW}; the chapter normalises them.")
    if close(value, 0.0):
        raise Incorrect("the Gram matrix forgets *where* features are, not *how strong* they are: doubling every "
                        "feature changes every entry.")
    raise Incorrect(f"{value:g} is not it: compute G(Y) from G(X) (exercise 2), subtract G(X), square, sum the "
                    f"{_C**2} entries and divide by C^2.")


contrast_style_loss = Problem(
    "Extension: the style loss of a contrast change",
    f"""
    Take the feature map X of exercise 2 (one image, 2x2 positions, C = {_C} channels) and Y = {CONTRAST:g} X: every
    feature multiplied by {CONTRAST:g}, as for the same texture with more contrast. With X as the style
    target (A = G(X)), what is the package's style loss for this one layer,
        L = 1/C^2 sum_cd (G(Y)_cd - A_cd)^2,   Gram matrices normalised by H*W?
    Pass a number.
    """,
    _check_contrast_loss,
    hint="You know G(X) from exercise 2. G(Y)_cd = 1/(HW) sum Y_c Y_d: what does a factor on every Y do to it?",
    solution=f"""
    G(Y) = {CONTRAST:g}^2 G(X) = {_G_Y.tolist()}: the Gram matrix is quadratic in the features.
    G(Y) - G(X) = {(_G_Y - _G_X).tolist()}
    L = ({' + '.join(f'{v:g}^2' for v in (_G_Y - _G_X).ravel())}) / {_C**2} = {_CONTRAST_LOSS:g}
    The Gram matrix ignores where features are, but not how strong: a contrast change is a style change,
    and for a large factor k the style loss grows like k^4 (L = (k^2 - 1)^2 |G(X)|^2 / C^2).
    """,
    reference=_CONTRAST_LOSS,
)

PROBLEMS = (gram_fn, hand_gram, gram_forgets_layout, contrast_style_loss)

__all__ = [
    "PROBLEMS", "gram_fn", "HAND_CHANNEL_0", "HAND_CHANNEL_1", "hand_gram", "FORGET_CHOICES", "gram_forgets_layout",
    "CONTRAST", "contrast_style_loss",
]
