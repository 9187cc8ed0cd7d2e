"""Exercises for chapter 6, total variation.

Example:

>>> from stylegan_edu.exercises import total_variation as ex
>>> ex.tv_by_hand.check(ex.tv_by_hand.reference)
✓ Correct: TV of a 3x3 image by hand.
"""

import math

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, Problem, function, number


def _number(value):
    value = number(value)
    if not math.isfinite(value):
        raise Incorrect(f"{value} is not a finite number.")
    return value


def _close(a, b):
    return abs(a - b) <= 1e-3 * max(1.0, abs(b))


# ---------------------------------------------------------------------------
# 1. TV of a 3x3 image, by hand
# ---------------------------------------------------------------------------

#: The grey 3x3 image of the first exercise (rows top to bottom).
IMAGE_3X3 = ((1.0, 1.0, 0.0),
             (1.0, 0.0, 0.0),
             (2.0, 2.0, 2.0))


def _tv_parts(image, f):
    a = np.asarray(image, dtype=np.float64)
    return float(f(np.diff(a, axis=0)).sum()), float(f(np.diff(a, axis=1)).sum())  # (down, right)


_DOWN_L1, _RIGHT_L1 = _tv_parts(IMAGE_3X3, np.abs)
_DOWN_L2, _RIGHT_L2 = _tv_parts(IMAGE_3X3, np.square)


def _check_tv_by_hand(value):
    value = _number(value)
    if _close(value, _DOWN_L1 + _RIGHT_L1):
        return
    if _close(value, _DOWN_L2 + _RIGHT_L2):
        raise Incorrect(f"{value:g} is the L2 (squared) total variation; the L1 form adds absolute differences.")
    if _close(value, _DOWN_L1):
        raise Incorrect(f"{value:g} counts only the vertical differences (row i+1 minus row i); add the horizontal ones.")
    if _close(value, _RIGHT_L1):
        raise Incorrect(f"{value:g} counts only the horizontal differences (column j+1 minus column j); add the vertical ones.")
    if _close(value, (_DOWN_L1 + _RIGHT_L1) / 12):
        raise Incorrect("that is the mean over the 12 neighbour pairs; total variation sums them.")
    if _close(value, _DOWN_L1 - _RIGHT_L1) or _close(value, 0.0):
        raise Incorrect("differences of opposite sign must not cancel: take |.| of each difference before adding.")
    raise Incorrect(f"{value:g} is not it. Add |I[i+1, j] - I[i, j]| over the 6 vertical pairs and "
                    "|I[i, j+1] - I[i, j]| over the 6 horizontal pairs.")


tv_by_hand = Problem(
    "TV of a 3x3 image by hand",
    f"""
    The grey image (rows top to bottom)
        {IMAGE_3X3[0]}
        {IMAGE_3X3[1]}
        {IMAGE_3X3[2]}
    What is its anisotropic L1 total variation,
    sum_ij |I[i+1, j] - I[i, j]| + |I[i, j+1] - I[i, j]| ? Pass a number.
    """,
    _check_tv_by_hand,
    hint="There are 6 vertical neighbour pairs (3 columns x 2) and 6 horizontal ones (3 rows x 2). "
    "Write each difference, take its absolute value, add all 12.",
    solution=f"""
    vertical   (row i+1 - row i): [0, -1, 0] and [1, 2, 2]  -> 1 + 5 = {_DOWN_L1:g}
    horizontal (col j+1 - col j): [0, -1], [-1, 0], [0, 0]  -> 1 + 1 + 0 = {_RIGHT_L1:g}
    TV_1 = {_DOWN_L1 + _RIGHT_L1:g}     (squared instead, TV_2 = {_DOWN_L2:g} + {_RIGHT_L2:g} = {_DOWN_L2 + _RIGHT_L2:g})
    """,
    reference=_DOWN_L1 + _RIGHT_L1,
)

# ---------------------------------------------------------------------------
# 2. Write TV for a batch
# ---------------------------------------------------------------------------


def _reference_tv(images):
    x = np.asarray(images, dtype=np.float64)  # (B, H, W, C)
    per_image = np.abs(np.diff(x, axis=1)).sum(axis=(1, 2, 3)) + np.abs(np.diff(x, axis=2)).sum(axis=(1, 2, 3))
    return float(per_image.mean())


def _check_tv_function(fn):
    fn = function(fn, "my_tv", returns="a float (the mean TV over the batch)", scalar=True)
    rng = np.random.default_rng(0)
    # Flat images of different brightness: zero TV, whatever the brightness.
    flat = np.stack([np.full((5, 6, 1), v) for v in (0.0, 0.4, 0.9)]).astype(np.float32)  # (3, 5, 6, 1)
    got = float(np.asarray(fn(flat)))
    if not _close(got, 0.0):
        raise Incorrect(f"a batch of flat images gets TV {got:.4f} from your function, but a flat image has no variation. "
                        "Are you differencing along axis 0, the batch (as the article's code does)? "
                        "Difference along axes 1 (height) and 2 (width).")
    # A vertical edge: columns differ, rows do not.
    edge = np.zeros((1, 5, 6, 1), np.float32)
    edge[:, :, 3:] = 1.0
    got = float(np.asarray(fn(edge)))
    if _close(got, 0.0):
        raise Incorrect("an image with a vertical edge gets TV 0 from your function: it never differences along "
                        "the width (axis 2).")
    x = rng.uniform(size=(4, 6, 7, 3)).astype(np.float32)
    got, want = float(np.asarray(fn(x))), _reference_tv(x)
    if _close(got, want):
        return
    sq = np.square(np.diff(x.astype(np.float64), axis=1)).sum(axis=(1, 2, 3)) + np.square(np.diff(x, axis=2)).sum(axis=(1, 2, 3))
    if _close(got, float(sq.mean())):
        raise Incorrect("you squared the differences (L2 TV); this exercise asks for the L1 form, absolute values.")
    if _close(got, want * len(x)):
        raise Incorrect("your result is the sum over the batch; average the per-image sums over the batch instead.")
    if got < want / 10:
        raise Incorrect(f"your result {got:.4f} is far smaller than the reference {want:.4f}: total variation sums "
                        "over the pixels of each image (a mean, as in tf.reduce_mean, divides by their number).")
    raise Incorrect(f"on a random batch your function gives {got:.4f}, the reference {want:.4f}.")


tv_function = Problem(
    "L1 total variation of a batch",
    """
    Write `my_tv(images)` for a numpy batch of shape (B, H, W, C): the L1 total variation of each
    image (summed over its pixels and channels, over height AND width), averaged over the batch.
    Then run `tv_function.check(my_tv)`.
    """,
    _check_tv_function,
    hint="np.diff(images, axis=1) differences along the height, axis=2 along the width. "
    "Sum |.| over axes (1, 2, 3), then take the mean over the batch.",
    solution="""
    def my_tv(images):
        dy = np.diff(images, axis=1)  # (B, H-1, W, C): along the height
        dx = np.diff(images, axis=2)  # (B, H, W-1, C): along the width
        return np.mean(np.abs(dy).sum(axis=(1, 2, 3)) + np.abs(dx).sum(axis=(1, 2, 3)))
    """,
    reference=_reference_tv,
)

# ---------------------------------------------------------------------------
# 3. The article's code on a batch of flat images
# ---------------------------------------------------------------------------

FLAT_LEVELS = (0.0, 0.5, 1.0)


def _article_tv(image):
    dx = image[:, :-1, :, :] - image[:, 1:, :, :]
    dy = image[:-1, :, :, :] - image[1:, :, :, :]
    return float(np.mean(np.square(dx)) + np.mean(np.square(dy)))


_FLAT = np.stack([np.full((2, 2, 1), v) for v in FLAT_LEVELS])  # (3, 2, 2, 1)
_ARTICLE_FLAT = _article_tv(_FLAT)


def _check_article_flat(value):
    value = _number(value)
    if _close(value, _ARTICLE_FLAT):
        return
    if _close(value, 0.0):
        raise Incorrect("0 is what a correct TV gives (each image is flat). Run the article's code in your head: "
                        "its dy differences image[:-1] and image[1:], neighbouring images of the batch.")
    if _close(value, float(np.sum(np.square(np.diff(_FLAT, axis=0))))):
        raise Incorrect("that is the sum of the squared differences; the article's code uses tf.reduce_mean.")
    if _close(value, float(np.mean(np.abs(np.diff(_FLAT, axis=0))))):
        raise Incorrect("the article's code squares the differences (tf.square), it does not take |.|.")
    raise Incorrect(f"{value:g} is not it. dx is zero inside flat images; dy has 2 x 4 entries, each a difference "
                    "of neighbouring brightness levels.")


article_flat_batch = Problem(
    "The article's TV on flat images",
    f"""
    The article computes
        dx = image[:, :-1, :, :] - image[:, 1:, :, :]
        dy = image[:-1, :, :, :] - image[1:, :, :, :]
        tv = tf.reduce_mean(tf.square(dx)) + tf.reduce_mean(tf.square(dy))
    on a batch of three flat 2x2 grey images (B, H, W, C) = (3, 2, 2, 1) with brightness {FLAT_LEVELS}.
    What value does it return? Pass a number.
    """,
    _check_article_flat,
    hint="Inside each flat image every neighbour difference is 0, so dx = 0. "
    "dy compares image 0 with image 1 and image 1 with image 2, pixel by pixel.",
    solution=f"""
    dx = 0 everywhere (each image is flat).
    dy has shape (2, 2, 2, 1): four entries of 0 - 0.5 and four of 0.5 - 1, each squared = 0.25.
    tv = mean(dx^2) + mean(dy^2) = 0 + 0.25 = {_ARTICLE_FLAT:g}, although no image varies at all.
    """,
    reference=_ARTICLE_FLAT,
)

# ---------------------------------------------------------------------------
# 4. Extension: isotropic TV by hand
# ---------------------------------------------------------------------------


def _difference_lengths(image):
    """Per pixel, the length sqrt(dy^2 + dx^2) of its difference vector (0 past the edge), shape (H, W)."""
    a = np.asarray(image, dtype=np.float64)  # (H, W)
    dy = np.zeros_like(a)
    dx = np.zeros_like(a)
    dy[:-1, :] = a[1:, :] - a[:-1, :]  # to the pixel below; 0 on the last row
    dx[:, :-1] = a[:, 1:] - a[:, :-1]  # to the pixel on the right; 0 in the last column
    return np.sqrt(dy**2 + dx**2)


_ISO_LENGTHS = _difference_lengths(IMAGE_3X3)  # (3, 3)
_ISO_TV = float(_ISO_LENGTHS.sum())
_ISO_INTERIOR = float(_ISO_LENGTHS[:-1, :-1].sum())  # only the pixels with a neighbour below and to the right


def _check_isotropic_tv(value):
    value = _number(value)
    if _close(value, _ISO_TV):
        return
    if _close(value, _DOWN_L1 + _RIGHT_L1):
        raise Incorrect(f"{value:g} is the anisotropic TV of exercise 1, |dy| + |dx| per pixel. The isotropic form "
                        "takes sqrt(dy^2 + dx^2): a pixel with a step down and a step right counts sqrt(2), not 2.")
    if _close(value, _DOWN_L2 + _RIGHT_L2):
        raise Incorrect(f"{value:g} is the squared (L2) TV, dy^2 + dx^2 summed without a root. Take the square root "
                        "at each pixel, then add.")
    if _close(value, math.sqrt(_DOWN_L2 + _RIGHT_L2)):
        raise Incorrect("you took one square root of the total. The isotropic TV takes the root at each pixel "
                        "(the length of its own difference vector) and adds the lengths.")
    if _close(value, _ISO_INTERIOR):
        raise Incorrect("you left out the pixels of the last row or column. A difference past the edge counts as 0, "
                        "but the pixel's other difference still counts: on the right edge, sqrt(dy^2 + 0) = |dy|.")
    if _close(value, _ISO_TV / _ISO_LENGTHS.size):
        raise Incorrect(f"that is the mean over the {_ISO_LENGTHS.size} pixels; total variation sums them.")
    raise Incorrect(f"{value:g} is not it. For each of the {_ISO_LENGTHS.size} pixels write dy (to the pixel below) "
                    "and dx (to the right), 0 past the edge; add up sqrt(dy^2 + dx^2).")


isotropic_tv = Problem(
    "Extension: isotropic TV by hand",
    f"""
    The same grey image as in exercise 1 (rows top to bottom)
        {IMAGE_3X3[0]}
        {IMAGE_3X3[1]}
        {IMAGE_3X3[2]}
    The isotropic total variation charges each pixel for the *length* of its difference vector:
        TV_iso = sum_ij sqrt(dy_ij^2 + dx_ij^2),  dy_ij = I[i+1, j] - I[i, j],  dx_ij = I[i, j+1] - I[i, j],
    where a difference past the image's edge counts as 0. What is TV_iso? Pass a number (3 decimals are enough).
    """,
    _check_isotropic_tv,
    hint="Reuse exercise 1's differences, but group them by pixel: each pixel (i, j) has one dy and one dx. "
    "Most pixels have at most one non-zero difference; only those with both differ from exercise 1.",
    solution=f"""
    per pixel sqrt(dy^2 + dx^2) (rows top to bottom):
        {[round(float(v), 3) for v in _ISO_LENGTHS[0]]}
        {[round(float(v), 3) for v in _ISO_LENGTHS[1]]}
        {[round(float(v), 3) for v in _ISO_LENGTHS[2]]}
    TV_iso = 2 sqrt(2) + 2 + 2 = {_ISO_TV:.4f}, against TV_1 = {_DOWN_L1 + _RIGHT_L1:g}: the two pixels with a step
    in both directions count sqrt(2) ~ 1.414 instead of 2. The isotropic form does not prefer edges along the
    axes (a diagonal edge costs what a straight one does), which is why image restoration often uses it
    (Rudin, Osher and Fatemi, 1992). Its gradient is undefined where dy = dx = 0, so code adds a small epsilon
    under the root.
    """,
    reference=_ISO_TV,
)

PROBLEMS = (tv_by_hand, tv_function, article_flat_batch, isotropic_tv)

__all__ = ["PROBLEMS", "IMAGE_3X3", "tv_by_hand", "tv_function", "FLAT_LEVELS", "article_flat_batch", "isotropic_tv"]
