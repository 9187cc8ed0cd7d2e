"""Exercises for chapter 11, CLAHE and the conditional GAN that learns it.

Example:

>>> from stylegan_edu.exercises import clahe as ex
>>> ex.clipped_histogram.check(ex.clipped_histogram.reference)
✓ Correct: A clipped histogram by hand.
"""

import numpy as np

from stylegan_edu.exercises._framework import Incorrect, MultipleChoice, Problem, number

# ---------------------------------------------------------------------------
# 1. Clip a histogram and redistribute the excess, by hand
# ---------------------------------------------------------------------------

HIST = (10, 2, 0, 4)  # a 4-bin histogram of a 16-pixel tile
CLIP = 5  # the clip limit, in pixels per bin
_CLIPPED = tuple(float(v) for v in np.minimum(HIST, CLIP) + np.sum(np.maximum(np.array(HIST) - CLIP, 0)) / len(HIST))


def _check_clipped(answer):
    try:
        a = np.asarray(answer, dtype=np.float64).ravel()
    except (TypeError, ValueError):
        raise Incorrect(f"pass the four bin counts as a list of numbers, not {answer!r}.") from None
    if a.size != len(HIST):
        raise Incorrect(f"the histogram has {len(HIST)} bins; you passed {a.size} numbers.")
    if np.allclose(a, _CLIPPED, atol=1e-6):
        return
    if np.allclose(a, np.minimum(HIST, CLIP)):
        raise Incorrect(f"you clipped but did not redistribute: the counts sum to {a.sum():g}, the tile has "
                        f"{sum(HIST)} pixels. Spread the clipped excess evenly over all bins.")
    excess = sum(max(h - CLIP, 0) for h in HIST)
    unclipped = [h < CLIP for h in HIST]
    only = [min(h, CLIP) + (excess / sum(unclipped) if u else 0.0) for h, u in zip(HIST, unclipped)]
    if np.allclose(a, only):
        raise Incorrect("you gave the excess only to the bins that were not clipped; CLAHE spreads it evenly "
                        "over every bin (the clipped one included).")
    if abs(a.sum() - sum(HIST)) > 1e-6:
        raise Incorrect(f"your counts sum to {a.sum():g}, but clipping and redistributing keeps all {sum(HIST)} pixels.")
    raise Incorrect(f"{a.tolist()} is not it. Cap each bin at {CLIP}, add up what was cut off, and add an equal "
                    "share of it to every bin.")


clipped_histogram = Problem(
    "A clipped histogram by hand",
    f"""
    A tile of 16 pixels has the 4-bin histogram h = {list(HIST)}. With the clip limit beta = {CLIP},
    what is the histogram after clipping and redistributing the excess evenly over all bins?
    Pass the four counts: `clipped_histogram.check([a, b, c, d])`.
    """,
    _check_clipped,
    hint="Excess = sum of max(h - beta, 0). Then every bin gets min(h, beta) + excess / (number of bins).",
    solution=f"""
    min(h, 5)        = [5, 2, 0, 4]   (the first bin loses 10 - 5 = 5 pixels)
    excess / 4 bins  = 1.25
    clipped          = {list(_CLIPPED)}   (still 16 pixels)
    In code: stylegan_edu.clahe.clip_histogram({list(HIST)}, {CLIP})
    """,
    reference=list(_CLIPPED),
)

# ---------------------------------------------------------------------------
# 2. Which degradation does CLAHE undo worst?
# ---------------------------------------------------------------------------

UNDO_STRENGTH = 0.5  # the strength used by the measurement (tests re-measure it)

_UNDO_MESSAGES = {
    "compress": "a linear contrast compression is the easiest case: skimage's CLAHE first stretches the image "
                "from its min to its max, which undoes most of it before any histogram is computed.",
    "illumination": "uneven light is what CLAHE was made for: the light field is nearly constant inside each "
                    "64-pixel tile, and each tile gets its own mapping, so most of it is equalised away.",
    "haze": "haze is close: it is an affine change (t I + (1 - t) A) that varies slowly, and tiles handle most of "
            "it. Measure the four SSIMs: one degradation scores clearly lower.",
}


cannot_undo = MultipleChoice(
    "The degradation CLAHE cannot undo",
    f"""
    Degrade each held-out photo with `low_contrast(image, kind, strength={UNDO_STRENGTH}, seed=0)`, quantise to
    8 bits, and compare `clahe_target(degraded)` with `clahe_target(clean)` by SSIM. For which kind is the
    mean SSIM lowest: 'gamma', 'compress', 'haze' or 'illumination'? Measure it, then pass the name.
    """,
    ("gamma", "compress", "haze", "illumination"),
    "gamma",
    _UNDO_MESSAGES,
    hint="Use stylegan_edu.clahe.evaluation_pairs(setting='degraded') and stylegan_edu.metrics.ssim; "
         "think about which tone curve is not (locally) linear.",
    solution="""
    'gamma'. Its curve (1 - 0.8 s) I^(1 + 1.5 s) is strongly non-linear: it crushes the shadows into a
    few 8-bit levels (information lost to quantisation that no mapping can split again), and a clipped
    histogram is not invariant to a non-linear tone curve. A linear compression is undone by skimage's
    min-max stretch, and haze and uneven light are nearly affine inside each tile.

        import numpy as np
        from stylegan_edu import clahe as C
        from stylegan_edu.metrics import ssim
        photos = C.load_photos(C.EVAL_IMAGES)
        for kind in C.DEGRADATIONS:
            scores = []
            for img in photos.values():
                deg = np.round(C.low_contrast(img, kind, 0.5, seed=0) * 255) / 255
                scores.append(ssim(C.clahe_target(img), C.clahe_target(deg.astype("float32")), data_range=1))
            print(kind, np.mean(scores))
    """,
)

# ---------------------------------------------------------------------------
# 3. A U-Net's input size
# ---------------------------------------------------------------------------

UNET_DEPTH = 4
UNET_IN = 100


def _check_unet_size(answer):
    value = number(answer, int, "one integer, the padded side length")
    if value == 112:
        return
    if value == UNET_IN:
        raise Incorrect("100 halves to 50, 25, 13 (rounded up), 7; the decoder doubles 7 to 14, which cannot be "
                        "concatenated with the encoder's 13. The side must be a multiple of 2^4 = 16.")
    if value < UNET_IN:
        raise Incorrect("cropping would lose pixels of the image; pad up to the next valid size instead.")
    if value % 16 == 0:
        raise Incorrect(f"{value} works, but it is not the smallest: use the next multiple of 16 above 100.")
    raise Incorrect(f"{value} is not a multiple of 2^{UNET_DEPTH} = 16, so some level's sizes will not match.")


unet_size = Problem(
    "A U-Net's input size",
    f"""
    The shipped U-Net has depth {UNET_DEPTH} (four stride-2 downsamplings, four 2x upsamplings, a skip
    connection at each level). `enhance` gets a {UNET_IN} x {UNET_IN} image: to what side length must it pad
    the image so that the output has the same shape as the input (before cropping back)? Pass an integer.
    """,
    _check_unet_size,
    hint="Follow the size through the encoder: each level halves it (rounding up with 'same' padding), the "
         "decoder doubles it, and the skip connection needs both to agree.",
    solution="""
    112, the smallest multiple of 2^4 = 16 that is >= 100: 112 -> 56 -> 28 -> 14 -> 7 -> 14 -> 28 -> 56 -> 112.
    stylegan_edu.models.unet_valid_size(100, 4) gives it; enhance pads to it and crops the output back to 100.
    """,
    reference=112,
)

# ---------------------------------------------------------------------------
# 4. The same clip limit in OpenCV
# ---------------------------------------------------------------------------


def _check_opencv_clip(answer):
    value = number(answer)
    if abs(value - 5.12) < 1e-6:
        return
    if abs(value - 0.02) < 1e-9:
        raise Incorrect("OpenCV's clipLimit is not normalised by the tile size like skimage's: it is a multiple of "
                        "the mean bin height n / 256.")
    if abs(value - 0.02 / 256) < 1e-9:
        raise Incorrect("the other way round: OpenCV's limit is larger, 256 times skimage's.")
    raise Incorrect(f"{value:g} is not it. skimage caps a bin at c * n pixels, OpenCV at L * n / 256; set them equal.")


opencv_clip = Problem(
    "The same clip limit in OpenCV",
    """
    skimage's `equalize_adapthist(..., clip_limit=0.02)` caps each histogram bin of a tile of n pixels at
    0.02 * n. OpenCV's `createCLAHE(clipLimit=L)` caps it at L * n / 256 (256 bins). Which L gives the same cap?
    """,
    _check_opencv_clip,
    hint="Solve c * n = L * n / 256 for L.",
    solution="""
    L = 256 * c = 256 * 0.02 = 5.12 (stylegan_edu.clahe.opencv_clip_limit(0.02)). skimage's default 0.01 is OpenCV's 2.56.
    """,
    reference=5.12,
)

# ---------------------------------------------------------------------------
# 5. Read a pixel through its tone curve
# ---------------------------------------------------------------------------

CURVE_LOGITS = (0.0, 2.0, 1.0)  # a = (a_1, a_2, a_3): K = 4 knots at grey levels 0, 1/3, 2/3, 1
CURVE_X = 0.5  # the pixel's input grey level


def _curve_parts(logits=CURVE_LOGITS):
    a = np.asarray(logits, dtype=np.float64)
    p = np.exp(a - a.max())
    p /= p.sum()  # softmax
    c = np.concatenate([[0.0], np.cumsum(p)])  # knot values c_0 = 0, c_k = p_1 + ... + p_k, up to c_3 = 1
    knots = np.linspace(0.0, 1.0, len(a) + 1)
    return p, c, knots


_P, _C, _KNOTS = _curve_parts()
_TONE = float(np.interp(CURVE_X, _KNOTS, _C))


def _check_tone_curve(answer):
    value = number(answer, float, "one number, the output grey level")
    if abs(value - _TONE) < 5e-4:
        return
    if abs(value - 0.5 * (_P[1] + _P[2])) < 5e-4 or abs(value - 0.5 * (_P[0] + _P[1])) < 5e-4:
        raise Incorrect("you interpolated the rises themselves; the knot values are their running sums, "
                        "c_0 = 0, c_1 = p_1, c_2 = p_1 + p_2, c_3 = 1, which is what makes the curve increasing.")
    nearest = [float(_C[1]), float(_C[2])]
    if any(abs(value - v) < 5e-4 for v in nearest):
        raise Incorrect("0.5 lies between the knots 1/3 and 2/3: interpolate linearly between c_1 and c_2 "
                        "instead of taking one of them.")
    if not 0.0 <= value <= 1.0:
        raise Incorrect(f"{value:g} is outside [0, 1]; every knot value c_k is a sum of probabilities.")
    raise Incorrect(f"{value:g} is not it. Softmax the logits, take the running sum, then read the curve at "
                    f"x = {CURVE_X} between the knots at 1/3 and 2/3.")


tone_curve = Problem(
    "Read a pixel through its tone curve",
    f"""
    The shipped generator ends in a tone-curve head: at each pixel it predicts K - 1 logits a_1 ... a_(K-1),
    turns them into rises p = softmax(a) and into knot values c_0 = 0, c_k = p_1 + ... + p_k (so c_(K-1) = 1)
    at the grey levels k / (K - 1), and reads the curve at the pixel's own grey level by linear
    interpolation. For K = 4, a = {list(CURVE_LOGITS)} and an input grey level x = {CURVE_X}, what is the
    output? Pass one number (3 decimals are enough).
    """,
    _check_tone_curve,
    hint="p = softmax(a) = exp(a) / sum(exp(a)); c = [0, p_1, p_1 + p_2, 1] at the knots 0, 1/3, 2/3 and 1; "
         "x = 0.5 is halfway between the second and the third.",
    solution=f"""
    p = softmax(a) = {np.round(_P, 4).tolist()}   (the rises between neighbouring knots)
    c              = {np.round(_C, 4).tolist()}   (0, then the running sums: increasing to 1)
    x = 0.5 is halfway between the knots 1/3 and 2/3, so y = (c_1 + c_2) / 2 = {_TONE:.4f}.
    In code: stylegan_edu.models.ApplyToneCurve()([IntensityBins(4)(x), logits]).
    """,
    reference=round(_TONE, 4),
)

PROBLEMS = (clipped_histogram, cannot_undo, unet_size, opencv_clip, tone_curve)

__all__ = [
    "PROBLEMS", "HIST", "CLIP", "clipped_histogram", "UNDO_STRENGTH", "cannot_undo", "UNET_DEPTH", "UNET_IN",
    "unet_size", "opencv_clip", "CURVE_LOGITS", "CURVE_X", "tone_curve",
]
