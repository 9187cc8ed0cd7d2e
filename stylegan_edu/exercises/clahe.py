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

HIST = (1, 9, 0, 6)  # a 4-bin histogram of a 16-pixel tile (the chapter clips another one)
CLIP = 4  # the clip limit, in pixels per bin
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
    Pass the four counts: `ex.clipped_histogram.check([a, b, c, d])`.
    """,
    _check_clipped,
    hint="Excess = sum of max(h - beta, 0). Then every bin gets min(h, beta) + excess / (number of bins).",
    solution=f"""
    min(h, {CLIP})        = {np.minimum(HIST, CLIP).tolist()}   (the bins above {CLIP} lose {sum(max(h - CLIP, 0) for h in HIST)} pixels)
    excess / 4 bins  = {sum(max(h - CLIP, 0) for h in HIST) / len(HIST):g}
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
# 3. The clip limit of one tile, in pixels
# ---------------------------------------------------------------------------

TILE_PHOTO_SHAPE = (300, 451)  # (H, W) of skimage.data.cat(), a held-out photo
TILE_CLIP = 0.01  # the chapter's normalised clip limit


def _tile_numbers():
    from stylegan_edu.clahe.pairs import tile_grid_for

    gy, gx = tile_grid_for(TILE_PHOTO_SHAPE, 64)
    ky, kx = TILE_PHOTO_SHAPE[0] // gy, TILE_PHOTO_SHAPE[1] // gx
    return (gy, gx), (ky, kx), int(TILE_CLIP * ky * kx)


_TILE_GRID, _TILE_KERNEL, _TILE_BETA = _tile_numbers()


def _check_tile_clip(answer):
    value = number(answer, float, "one number, the most pixels a bin may keep")
    (gy, gx), (ky, kx), beta = _TILE_GRID, _TILE_KERNEL, _TILE_BETA
    if value == beta:
        return
    if abs(value - int(TILE_CLIP * 64 * 64)) < 1e-9:
        raise Incorrect(f"that is a 64 x 64 tile. The grid is round(H / 64) x round(W / 64) = {gy} x {gx} tiles, "
                        f"so a tile is H // {gy} x W // {gx} pixels, not exactly 64 x 64.")
    if abs(value - TILE_CLIP * ky * kx) < 1e-9:
        raise Incorrect(f"right tile, but a bin holds whole pixels: skimage rounds c * n down, int({value:g}).")
    if abs(value - int(TILE_CLIP * TILE_PHOTO_SHAPE[0] * TILE_PHOTO_SHAPE[1])) <= 1:
        raise Incorrect("that is c times the whole photo's pixels; the limit is per tile, c times one tile's pixels.")
    raise Incorrect(f"{value:g} is not it: find the tile grid (64-pixel tiles, rounded), the tile's size in pixels "
                    f"n = (H // rows) (W // columns), then floor(c n).")


tile_clip = Problem(
    "The clip limit of one tile, in pixels",
    f"""
    The chapter's target is skimage's CLAHE with a normalised clip limit c = {TILE_CLIP} and tiles of about
    64 pixels (`clahe.tile_grid_for`: rows = round(H / 64), columns = round(W / 64), each tile
    H // rows x W // columns pixels). For the held-out cat photo, {TILE_PHOTO_SHAPE[1]} x {TILE_PHOTO_SHAPE[0]}
    (width x height), how many pixels may one histogram bin of a tile hold after clipping? Pass a number.
    """,
    _check_tile_clip,
    hint="round(300 / 64) and round(451 / 64) give the grid; the tile has n = (300 // rows) * (451 // columns) "
         "pixels; skimage uses int(c * n).",
    solution=f"""
    grid   = round(300 / 64) x round(451 / 64) = {_TILE_GRID[0]} x {_TILE_GRID[1]} tiles
    tile   = 300 // {_TILE_GRID[0]} x 451 // {_TILE_GRID[1]} = {_TILE_KERNEL[0]} x {_TILE_KERNEL[1]} pixels, n = {_TILE_KERNEL[0] * _TILE_KERNEL[1]}
    beta   = int(0.01 * n) = {_TILE_BETA} pixels per bin
    In code: stylegan_edu.clahe.tile_layout((300, 451))["kernel"].
    """,
    reference=_TILE_BETA,
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
# 5. Read a pixel through the tone grid
# ---------------------------------------------------------------------------

GRID_TILE = 64  # tile width k in pixels (a strip of tiles 0..63, 64..127, ...)
GRID_X = 80  # the pixel's column
GRID_CURVES = (0.30, 0.70)  # T_0(b), T_1(b): the curves of tiles 0 and 1 at the pixel's bin b


def _grid_value(x=GRID_X, k=GRID_TILE, curves=GRID_CURVES):
    p = x + k // 2  # padded coordinate
    r = (p % k) / k  # weight of the right-hand tile
    left = p // k - 1  # the left-hand tile (0 here)
    return (1 - r) * curves[left] + r * curves[left + 1], r


_GRID, _GRID_R = _grid_value()


def _check_grid(answer):
    value = number(answer, float, "one number, the pixel's output")
    if abs(value - _GRID) < 5e-4:
        return
    t0, t1 = GRID_CURVES
    r_plain = (GRID_X % GRID_TILE) / GRID_TILE  # forgets the half-tile shift
    if abs(value - ((1 - r_plain) * t0 + r_plain * t1)) < 5e-4:
        raise Incorrect("you measured the position from the tile's edge. The curves belong to the tile *centres* "
                        f"(32, 96, ...): the pixel is {GRID_X - 32} of the 64 pixels from centre 32 to centre 96.")
    if abs(value - t1) < 5e-4:
        raise Incorrect("that is the nearest tile's curve alone: CLAHE blends the two nearest tiles' curves, "
                        "so that no tile borders show.")
    if abs(value - 0.5 * (t0 + t1)) < 5e-4:
        raise Incorrect("not the plain average: weight each curve by how close the pixel is to that tile's centre.")
    raise Incorrect(f"{value:g} is not it. The centres of tiles 0 and 1 are at 32 and 96; interpolate linearly "
                    f"between T_0 = {t0} and T_1 = {t1} at x = {GRID_X}.")


tone_grid_pixel = Problem(
    "Read a pixel through the tone grid",
    f"""
    In one row of an image cut into tiles {GRID_TILE} pixels wide (tile 0: columns 0-63, tile 1: 64-127,
    ...), each tile has a tone curve. A pixel in column {GRID_X} falls in histogram bin b, where the curves
    of tiles 0 and 1 read T_0(b) = {GRID_CURVES[0]} and T_1(b) = {GRID_CURVES[1]}. What value does CLAHE (and
    `clahe.ToneGrid`) give the pixel? Pass one number.
    """,
    _check_grid,
    hint="Each curve belongs to its tile's centre: columns 32 and 96. How far along from 32 to 96 is 80?",
    solution=f"""
    The centres are at 32 and 96; column 80 is (80 - 32) / 64 = {_GRID_R:.2f} of the way, so
    v = (1 - {_GRID_R:.2f}) * {GRID_CURVES[0]} + {_GRID_R:.2f} * {GRID_CURVES[1]} = {_GRID:.3f}.
    In the package: tile_layout(...)["index"] and ["weight"] (padded coordinate p = x + k // 2, r = (p mod k) / k).
    """,
    reference=round(_GRID, 4),
)

# ---------------------------------------------------------------------------
# 6. Extension: the curve rule the curve network learns
# ---------------------------------------------------------------------------


def _reference_curve(hist, beta):
    h = np.asarray(hist, dtype=np.float64)  # (K,) pixel counts of one tile
    clipped = np.minimum(h, beta)
    clipped = clipped + (h.sum() - clipped.sum()) / h.size  # the excess, spread evenly over every bin
    return np.cumsum(clipped) / h.sum()  # (K,): T(v) = share of pixels at or below v, after clipping


def _curve_cases():
    rng = np.random.default_rng(11)
    peaked = np.zeros(32)
    peaked[5] = 900
    peaked[6:10] = 25  # a flat tile: one tall peak, a few neighbours
    return [(rng.integers(0, 60, 16).astype(float), 20.0), (peaked, 40.0), (rng.integers(0, 5, 8).astype(float), 100.0)]


def _check_curve_rule(fn):
    from stylegan_edu.exercises._framework import function

    fn = function(fn, "my_curve", returns="the (K,) curve, an array of floats")
    for hist, beta in _curve_cases():
        got = np.asarray(fn(hist.copy(), beta), dtype=np.float64).ravel()  # Problem.check reports a crash
        want = _reference_curve(hist, beta)
        if got.shape != want.shape:
            raise Incorrect(f"return one value per bin, {want.size} for a {want.size}-bin histogram; got {got.size}.")
        if np.allclose(got, want, atol=1e-6):
            continue
        no_spread = np.cumsum(np.minimum(hist, beta)) / hist.sum()
        if np.allclose(got, no_spread, atol=1e-6):
            raise Incorrect(f"your curve ends at {got[-1]:.3f}, not 1: the clipped pixels must go back, spread "
                            "evenly over all bins, before the running sum.")
        if np.allclose(got, np.cumsum(hist) / hist.sum(), atol=1e-6):
            raise Incorrect("that is plain equalisation (AHE): clip each bin at beta first.")
        exclusive = np.concatenate([[0.0], want[:-1]])
        if np.allclose(got, exclusive, atol=1e-6):
            raise Incorrect("off by one bin: T(v) counts the pixels at or below v, including bin v itself.")
        if np.allclose(got / max(got[-1], 1e-12), want, atol=1e-6):
            raise Incorrect("right shape, wrong scale: divide the running sum by the tile's pixel count, so that T ends at 1.")
        raise Incorrect(f"your curve differs from CLAHE's by up to {np.abs(got - want).max():.4f} "
                        f"(histogram {hist.astype(int).tolist()[:8]}..., beta {beta:g}).")


curve_rule = Problem(
    "Extension: the curve rule the curve network learns",
    """
    `clahe.CurveNet` learns to turn a tile's histogram into its tone curve. Write the rule it should
    discover, classical CLAHE's: `my_curve(hist, beta)` takes a tile's (K,) pixel counts and the clip
    limit beta (in pixels), clips every bin at beta, spreads the clipped pixels evenly over all K bins,
    and returns the (K,) curve T(v) = (pixels at or below bin v, after clipping) / (pixels in the tile).
    Then run `ex.curve_rule.check(my_curve)`. (This is the textbook rule, `clahe.clip_histogram`'s;
    skimage refines it: bins already at beta get none of the excess, and none passes beta.)
    Bonus: compare your curve with a trained `CurveNet`'s for a tile of the moon.
    """,
    _check_curve_rule,
    hint="np.minimum(h, beta); add (h.sum() - clipped.sum()) / K to every bin; np.cumsum, divided by h.sum().",
    solution="""
    def my_curve(hist, beta):
        h = np.asarray(hist, dtype=float)
        clipped = np.minimum(h, beta)
        clipped += (h.sum() - clipped.sum()) / h.size   # the excess, evenly over every bin
        return np.cumsum(clipped) / h.sum()              # ends at 1: every pixel is counted once
    A network with ReLUs can write min(h, beta) = h - relu(h - beta) per bin, and the mean excess is a mean
    over bins: CurveNet's per-bin features and their mean (its context) can express this rule exactly.
    """,
    reference=_reference_curve,
)

PROBLEMS = (clipped_histogram, cannot_undo, tile_clip, opencv_clip, tone_grid_pixel, curve_rule)

__all__ = [
    "PROBLEMS", "HIST", "CLIP", "clipped_histogram", "UNDO_STRENGTH", "cannot_undo", "TILE_PHOTO_SHAPE", "TILE_CLIP",
    "tile_clip", "opencv_clip", "GRID_TILE", "GRID_X", "GRID_CURVES", "tone_grid_pixel", "curve_rule",
]
