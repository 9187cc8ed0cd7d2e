r"""Contrast enhancement with CLAHE, classical and learned (chapter 11).

CLAHE (contrast limited adaptive histogram equalisation, Zuiderveld 1994)
splits an image into a grid of tiles, equalises the histogram of each tile
after *clipping* it at a limit (so flat regions do not get their noise blown
up), and interpolates bilinearly between the mappings of neighbouring tiles so
that no tile borders show.

This module holds:

* :func:`clahe`, a wrapper around ``skimage.exposure.equalize_adapthist`` and
  OpenCV's ``cv2.createCLAHE`` with one convention for the clip limit;
* :func:`low_contrast`, four realistic degradations (gamma, contrast
  compression, haze, uneven illumination);
* :func:`load_photos` and the fixed train/evaluation split of
  ``skimage.data`` photos (:data:`TRAIN_IMAGES`, :data:`EVAL_IMAGES`);
* :func:`clahe_target`, the task the conditional GAN learns, and
  :func:`clahe_pairs`, a ``tf.data`` pipeline of (degraded crop, CLAHE target
  crop) pairs;
* :func:`enhance`, which applies a trained generator to an image of any size.

**Colour.** Everything works on grey images. An RGB image is handled on its
luminance: :math:`Y = 0.299 R + 0.587 G + 0.114 B` (ITU-R BT.601, the Y of
YCbCr) is enhanced to :math:`Y'`, and :math:`Y' - Y` is added to all three
channels, which keeps both chroma channels :math:`C_b, C_r` unchanged
(they are linear in :math:`B - Y` and :math:`R - Y`); the result is clipped
to the valid range.

**Clip limits.** ``clip_limit`` is always skimage's *normalised* limit in
(0, 1]: a histogram bin of a tile with :math:`n` pixels may hold at most
:math:`\lfloor c\,n \rfloor` pixels. OpenCV's ``clipLimit`` is relative to the
mean bin height :math:`n / 256` instead, so the same limit is
``clipLimit = 256 * clip_limit`` (skimage's default 0.01 is OpenCV's 2.56).
The two backends still differ: skimage first stretches the image to its full
range (min to max) and stretches the result again, OpenCV does neither, and
they interpolate slightly differently.
"""

import dataclasses

import numpy as np

from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid

__all__ = [
    "TRAIN_IMAGES",
    "EVAL_IMAGES",
    "DEGRADATIONS",
    "TARGET",
    "ClaheTarget",
    "clahe",
    "opencv_clip_limit",
    "clip_histogram",
    "global_equalize",
    "low_contrast",
    "tile_grid_for",
    "clahe_target",
    "load_photos",
    "clahe_pairs",
    "random_tone",
    "to_luminance",
    "enhance",
    "evaluation_pairs",
    "evaluate",
]

#: The photos of ``skimage.data`` the generator is trained on (grey or RGB;
#: RGB photos are used through their luminance).
TRAIN_IMAGES = (
    "camera", "astronaut", "coffee", "chelsea", "rocket", "coins", "page",
    "text", "brick", "grass", "gravel", "clock", "immunohistochemistry", "cell",
)
#: The held-out photos, never seen in training: a dark astronomical image, a
#: medical fundus photograph and a deep-sky image with few bright objects.
EVAL_IMAGES = ("moon", "retina", "hubble_deep_field")
#: The degradations :func:`low_contrast` knows.
DEGRADATIONS = ("gamma", "compress", "haze", "illumination")

_BACKENDS = ("skimage", "opencv")
_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luminance weights


# ---------------------------------------------------------------------------
# Input handling: dtype, range, grey/RGB
# ---------------------------------------------------------------------------


def _check_image(image, name="image"):
    """Validate an image; return it as a numpy array (not copied)."""
    try:
        a = np.asarray(image)
    except Exception:  # pragma: no cover - exotic objects
        raise invalid(name, "an image array (H, W) or (H, W, 3)", f"{name} of type {type(image).__name__}") from None
    if a.dtype == object or a.dtype.kind not in "uf":
        raise invalid(name, "an image array of dtype uint8 or float (values in [0, 1])",
                      f"{name} of type {type(image).__name__} with dtype {a.dtype}")
    if a.dtype.kind == "u" and a.dtype != np.uint8:
        raise invalid(name, "an image array of dtype uint8 or float (values in [0, 1])", f"dtype {a.dtype}")
    if not (a.ndim == 2 or (a.ndim == 3 and a.shape[-1] in (1, 3))):
        raise invalid(name, "a grey image (H, W) or (H, W, 1), or an RGB image (H, W, 3)", f"shape {a.shape}")
    if a.dtype.kind == "f":
        if not np.all(np.isfinite(a)):
            bad = int(a.size - np.count_nonzero(np.isfinite(a)))
            raise invalid(name, "finite values", f"{bad} non-finite value(s) out of {a.size}")
        lo, hi = float(a.min()), float(a.max())
        if lo < 0.0 or hi > 1.0:
            raise invalid(name, "float values in [0, 1] (or a uint8 image)", f"min={lo:.4g}, max={hi:.4g}")
    return a


def _to_float(a):
    """uint8 -> float64 in [0, 1]; float -> float64."""
    return a.astype(np.float64) / 255.0 if a.dtype == np.uint8 else a.astype(np.float64)


def _quantise_8bit(x):
    """Round float grey levels to the 256 levels of an 8-bit photo (values stay floats)."""
    return np.round(x * 255.0) / 255.0


def _from_float(x, dtype):
    """float in [0, 1] -> ``dtype`` (uint8 rounds, like ``skimage.util.img_as_ubyte``)."""
    x = np.clip(x, 0.0, 1.0)
    if np.dtype(dtype) == np.uint8:
        return np.round(x * 255.0).astype(np.uint8)
    return x.astype(dtype)


def to_luminance(image):
    r"""The luminance of an image, as float64 in [0, 1].

    Formula:
        :math:`Y = 0.299 R + 0.587 G + 0.114 B` for RGB (BT.601); a grey
        image is its own luminance.

    Args:
        image: uint8 or float in [0, 1], shape (H, W), (H, W, 1) or (H, W, 3).

    Returns:
        float64 array of shape (H, W).

    Example:

    >>> import numpy as np
    >>> np.round(to_luminance(np.array([[[255, 0, 0], [0, 255, 0]]], np.uint8)), 3).tolist()
    [[0.299, 0.587]]
    """
    a = _to_float(_check_image(image))
    if a.ndim == 3:
        a = a[..., 0] if a.shape[-1] == 1 else a @ _LUMA  # (H, W)
    return a


def _apply_on_luminance(image, fn):
    """Run ``fn`` (float (H, W) in [0, 1] -> same) on the luminance; keep chroma."""
    a = _check_image(image)
    x = _to_float(a)
    if x.ndim == 2:
        out = fn(x)  # (H, W)
    elif x.shape[-1] == 1:
        out = fn(x[..., 0])[..., None]  # (H, W, 1)
    else:
        y = x @ _LUMA  # (H, W)
        out = x + (fn(y) - y)[..., None]  # (H, W, 3): same Y' - Y on every channel keeps Cb, Cr
    return _from_float(out, a.dtype)


# ---------------------------------------------------------------------------
# Classical CLAHE
# ---------------------------------------------------------------------------


def opencv_clip_limit(clip_limit, nbins=256):
    r"""OpenCV's ``clipLimit`` for a normalised (skimage) ``clip_limit``.

    Formula:
        skimage clips each bin at :math:`c\,n` pixels (``n`` pixels per
        tile); OpenCV at :math:`L\,n / \mathrm{nbins}`. Equal when
        :math:`L = \mathrm{nbins} \cdot c`.

    Args:
        clip_limit: the normalised limit, in (0, 1].
        nbins: number of histogram bins (256 for 8-bit images).

    Returns:
        float: OpenCV's ``clipLimit``.

    Example:

    >>> opencv_clip_limit(0.01)
    2.56
    """
    clip_limit = check_float_range("clip_limit", clip_limit, 0.0, 1.0, low_inclusive=False)
    return float(nbins) * clip_limit


def _check_tile_grid(tile_grid, shape):
    ok = (isinstance(tile_grid, (tuple, list)) and len(tile_grid) == 2
          and all(isinstance(t, (int, np.integer)) and not isinstance(t, bool) and t >= 1 for t in tile_grid))
    if not ok:
        raise invalid("tile_grid", "a pair of positive integers (rows, columns)", f"tile_grid={tile_grid!r}")
    ty, tx = int(tile_grid[0]), int(tile_grid[1])
    h, w = shape[:2]
    if ty > h or tx > w:
        raise invalid("tile_grid", f"at most one tile per pixel, i.e. at most ({h}, {w}) for an image of shape {tuple(shape)}",
                      f"tile_grid={tuple(tile_grid)!r}")
    return ty, tx


def clahe(image, clip_limit=0.01, tile_grid=(8, 8), backend="skimage"):
    r"""Classical CLAHE, returning the dtype and range it was given.

    Formula:
        For each of the ``tile_grid`` tiles, with :math:`n` pixels and a
        256-bin histogram :math:`h`: clip every bin at
        :math:`\beta = \lfloor c\,n \rfloor` (:math:`c` = ``clip_limit``),
        spread the clipped excess evenly over all bins, and map a grey level
        :math:`v` through the tile's scaled cumulative histogram
        :math:`T(v) = \tfrac{1}{n}\sum_{u \le v} h_\beta(u)`. A pixel's
        output interpolates bilinearly between the mappings :math:`T` of the
        four nearest tile centres.

    ``backend="skimage"`` is exactly ``skimage.exposure.equalize_adapthist``
    with ``kernel_size = (H // rows, W // cols)`` (floats come back in the
    input's float dtype; uint8 input comes back as uint8, rounded as
    ``skimage.util.img_as_ubyte`` does). ``backend="opencv"`` is exactly
    ``cv2.createCLAHE(clipLimit=256 * clip_limit, tileGridSize=(cols, rows))``
    on uint8 images; a float image goes through uint8 (so it is quantised to
    256 levels) and comes back in its float dtype. See the module docstring
    for how the two differ. RGB images are enhanced on their luminance (see
    the module docstring), not through skimage's HSV value channel.

    Args:
        image: uint8, or float in [0, 1]; shape (H, W), (H, W, 1) or (H, W, 3).
        clip_limit: normalised clip limit in (0, 1]; higher means more
            contrast (1 is plain adaptive histogram equalisation).
        tile_grid: (rows, columns) of tiles, each at most the image's size.
        backend: ``"skimage"`` or ``"opencv"``.

    Returns:
        The enhanced image, same shape, dtype and range as ``image``.

    Raises:
        ValueError: for a clip limit outside (0, 1], a tile grid with more
            tiles than pixels, a non-image, or an unknown backend.

    Example:

    >>> import numpy as np
    >>> ramp = np.tile(np.linspace(0.25, 0.5, 64), (64, 1)).astype("float32")
    >>> out = clahe(ramp, clip_limit=0.02, tile_grid=(4, 4))
    >>> out.dtype, out.shape, float(out.min()), float(out.max())
    (dtype('float32'), (64, 64), 0.0, 1.0)
    """
    clip_limit = check_float_range("clip_limit", clip_limit, 0.0, 1.0, low_inclusive=False)
    check_choice("backend", backend, _BACKENDS)
    a = _check_image(image)
    ty, tx = _check_tile_grid(tile_grid, a.shape)

    if backend == "skimage":
        from skimage.exposure import equalize_adapthist

        def fn(y):  # y: float64 (H, W) in [0, 1]
            h, w = y.shape
            return equalize_adapthist(y, kernel_size=(max(h // ty, 1), max(w // tx, 1)), clip_limit=clip_limit)
    else:
        import cv2

        op = cv2.createCLAHE(clipLimit=opencv_clip_limit(clip_limit), tileGridSize=(tx, ty))

        def fn(y):
            return op.apply(np.round(y * 255.0).astype(np.uint8)) / 255.0

    if a.ndim == 2 and a.dtype == np.uint8 and backend == "opencv":
        return op.apply(np.ascontiguousarray(a))  # exact OpenCV, no float round trip
    if a.ndim == 2 and a.dtype.kind == "f" and backend == "skimage":
        h, w = a.shape
        return equalize_adapthist(a, kernel_size=(max(h // ty, 1), max(w // tx, 1)),
                                  clip_limit=clip_limit).astype(a.dtype)  # exact skimage
    return _apply_on_luminance(a, fn)


def clip_histogram(hist, clip_limit):
    r"""Clip a histogram at ``clip_limit`` counts and spread the excess evenly.

    Formula:
        :math:`E = \sum_v \max(h(v) - \beta, 0)`, then
        :math:`h_\beta(v) = \min(h(v), \beta) + E / N_\mathrm{bins}`.
        The total count is kept. (Implementations then re-clip the bins the
        redistribution pushed over :math:`\beta`; this one-pass form is the
        idea, and what the chapter's exercise asks for.)

    Args:
        hist: 1-D array of bin counts.
        clip_limit: :math:`\beta`, the most counts a bin may keep, > 0.

    Returns:
        float64 array, same length, same sum.

    Example:

    >>> clip_histogram([8, 0, 0, 0], 4).tolist()
    [5.0, 1.0, 1.0, 1.0]
    """
    h = np.asarray(hist, dtype=np.float64)
    if h.ndim != 1 or h.size == 0:
        raise invalid("hist", "a non-empty 1-D array of bin counts", f"shape {h.shape}")
    if np.any(h < 0) or not np.all(np.isfinite(h)):
        raise invalid("hist", "finite counts >= 0", f"min={h.min():g}")
    beta = check_float_range("clip_limit", clip_limit, 0.0, low_inclusive=False)
    excess = np.sum(np.maximum(h - beta, 0.0))
    return np.minimum(h, beta) + excess / h.size


def global_equalize(image):
    """Global histogram equalisation (``skimage.exposure.equalize_hist``), same dtype and range.

    One mapping for the whole image: the scaled cumulative histogram, with no
    clip limit and no tiles. The chapter's baseline.

    Args:
        image: uint8 or float in [0, 1], grey or RGB (luminance, see module).

    Returns:
        The equalised image, same shape and dtype.

    Example:

    >>> import numpy as np
    >>> x = np.linspace(0.4, 0.6, 100).reshape(10, 10)
    >>> round(float(global_equalize(x).max()), 2)
    1.0
    """
    from skimage.exposure import equalize_hist

    return _apply_on_luminance(image, lambda y: equalize_hist(y, nbins=256))


# ---------------------------------------------------------------------------
# Degradations
# ---------------------------------------------------------------------------


def _smooth_field(shape, rng):
    """A smooth random field in [0, 1]: a random linear ramp plus a random off-centre blob."""
    h, w = shape
    yy, xx = np.mgrid[0:h, 0:w]
    yy, xx = yy / max(h - 1, 1), xx / max(w - 1, 1)  # (H, W) in [0, 1]
    angle = rng.uniform(0, 2 * np.pi)
    ramp = np.cos(angle) * (xx - 0.5) + np.sin(angle) * (yy - 0.5)  # (H, W)
    cy, cx = rng.uniform(0.0, 1.0, 2)
    blob = np.exp(-((yy - cy) ** 2 + (xx - cx) ** 2) / (2 * rng.uniform(0.15, 0.4) ** 2))
    f = ramp + blob
    return (f - f.min()) / max(f.max() - f.min(), 1e-12)


def low_contrast(image, kind="compress", strength=0.5, seed=None):
    r"""Lower an image's contrast in one of four realistic ways.

    Formula (on the luminance :math:`I \in [0, 1]`, strength :math:`s`):

    * ``"gamma"``, an under-exposed, dark tone curve:
      :math:`I' = (1 - 0.8 s)\, I^{1 + 1.5 s}`: shadows crushed, highlights
      dimmed.
    * ``"compress"``, a flat exposure: :math:`I' = m + (1 - 0.8 s)(I - m)`
      around the mean :math:`m`.
    * ``"haze"``, the atmospheric scattering model
      :math:`I' = t I + (1 - t) A` with airlight :math:`A \in [0.75, 0.95]`
      and a transmission :math:`t` that falls from :math:`1 - 0.5s` to
      :math:`1 - 0.85 s` across a smooth random field (thicker haze in part of
      the frame).
    * ``"illumination"``, uneven light: :math:`I' = L \cdot I` with a smooth
      random light field :math:`L \in [1 - 0.8 s, 1 - 0.5 s]` (a ramp
      plus a soft spot).

    All four lower the standard deviation of natural photos; the random
    fields depend only on ``seed``.

    Args:
        image: uint8 or float in [0, 1], grey or RGB (luminance, see module).
        kind: one of :data:`DEGRADATIONS`.
        strength: :math:`s` in [0, 1]; 0 leaves the image unchanged.
        seed: seed of the random fields (haze, illumination, airlight).

    Returns:
        The degraded image, same shape, dtype and range (uint8 output is
        quantised, which is part of what makes the damage irreversible).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(32, 32))
    >>> bool(low_contrast(x, "compress", 0.5).std() < x.std())
    True
    """
    check_choice("kind", kind, DEGRADATIONS)
    s = check_float_range("strength", strength, 0.0, 1.0)
    rng = np.random.default_rng(seed)

    def fn(y):  # y: (H, W) float64 in [0, 1]
        if kind == "gamma":
            return (1.0 - 0.8 * s) * y ** (1.0 + 1.5 * s)
        if kind == "compress":
            m = float(y.mean())
            return m + (1.0 - 0.8 * s) * (y - m)
        field = _smooth_field(y.shape, rng)  # (H, W) in [0, 1]
        if kind == "haze":
            airlight = rng.uniform(0.75, 0.95)
            t = 1.0 - s * (0.5 + 0.35 * field)  # transmission, (H, W)
            return t * y + (1.0 - t) * airlight
        light = 1.0 - s * (0.5 + 0.3 * field)  # (H, W) in [1 - 0.8 s, 1 - 0.5 s]
        return light * y

    return _apply_on_luminance(image, fn)


# ---------------------------------------------------------------------------
# The learning task: data set and targets
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ClaheTarget:
    """The CLAHE the generator learns to reproduce (chapter 11's task)."""

    clip_limit: float = 0.01  # skimage's default normalised clip limit (OpenCV 2.56)
    tile_px: int = 64  # tile size in pixels; the grid follows the image size (64 px tiles)
    backend: str = "skimage"  # the reference implementation

    def __post_init__(self):
        check_float_range("clip_limit", self.clip_limit, 0.0, 1.0, low_inclusive=False)
        check_positive_int("tile_px", self.tile_px)
        check_choice("backend", self.backend, _BACKENDS)


#: The target of chapter 11: skimage CLAHE, clip limit 0.01, 64-pixel tiles.
TARGET = ClaheTarget()


def tile_grid_for(shape, tile_px=64):
    """The tile grid that gives tiles of about ``tile_px`` pixels (at least 1 x 1).

    A fixed grid (8 x 8) means 64-pixel tiles on a 512 image but 16-pixel
    tiles on a 128 crop, a different operation; fixing the tile size in
    pixels makes CLAHE the same local operation at every image size, which is
    what a convolutional network can learn.

    Example:

    >>> tile_grid_for((512, 384)), tile_grid_for((40, 40))
    ((8, 6), (1, 1))
    """
    check_positive_int("tile_px", tile_px)
    h, w = shape[:2]
    return (max(1, round(h / tile_px)), max(1, round(w / tile_px)))


def clahe_target(image, target=TARGET):
    """The CLAHE target of an image: :func:`clahe` with ``target``'s settings.

    Args:
        image: uint8 or float in [0, 1], grey or RGB.
        target: a :class:`ClaheTarget` (default :data:`TARGET`).

    Returns:
        The enhanced image, same shape and dtype.

    Example:

    >>> import numpy as np
    >>> clahe_target(np.zeros((64, 64), np.uint8)).shape
    (64, 64)
    """
    if not isinstance(target, ClaheTarget):
        raise invalid("target", "a ClaheTarget", f"{type(target).__name__}")
    a = _check_image(image)
    return clahe(a, target.clip_limit, tile_grid_for(a.shape, target.tile_px), target.backend)


def load_photos(names, max_side=512):
    """Grey versions of ``skimage.data`` photos (bundled with scikit-image; offline).

    RGB photos become their BT.601 luminance; photos larger than
    ``max_side`` are downscaled (anti-aliased) so that the longer side is
    ``max_side``; smaller ones are kept as they are.

    Args:
        names: names of ``skimage.data`` images, e.g. :data:`TRAIN_IMAGES`.
        max_side: longest side in pixels after downscaling, >= 64.

    Returns:
        dict ``{name: float32 (H, W) array in [0, 1]}``.

    Example:

    >>> photos = load_photos(["camera", "coffee"], max_side=256)
    >>> {k: v.shape for k, v in photos.items()}
    {'camera': (256, 256), 'coffee': (171, 256)}
    """
    import skimage.data
    from skimage.transform import resize

    check_positive_int("max_side", max_side, minimum=64)
    if isinstance(names, str):
        names = [names]
    out = {}
    for name in names:
        fn = getattr(skimage.data, str(name), None)
        if fn is None or not callable(fn):
            raise invalid("names", "names of skimage.data images, e.g. 'camera'", f"{name!r}")
        y = to_luminance(fn())  # (H, W) float64
        h, w = y.shape
        scale = max_side / max(h, w)
        if scale < 1.0:
            y = resize(y, (round(h * scale), round(w * scale)), anti_aliasing=True, order=1)
        out[str(name)] = np.clip(y, 0.0, 1.0).astype(np.float32)
    return out


def random_tone(image, seed=None):
    r"""A random *clean* re-exposure of a photo: a new scene histogram, not damage.

    Formula:
        :math:`I' = \mathrm{round}_8(a + w\, I^{\gamma})` with
        :math:`\gamma` log-uniform in [0.5, 2], the black level :math:`a`
        uniform in [0, 0.5] and the range :math:`w` uniform in
        [0.15, 1 - a], quantised to 8 bits.

    Unlike :func:`low_contrast`, which damages a photo whose target stays the
    CLAHE of the original, a re-exposed photo is a new clean photo whose
    target is *its own* CLAHE: narrow, dark or bright histograms (like the
    retina's or the moon's) that the 14 training photos rarely have.

    Args:
        image: (H, W) float in [0, 1].
        seed: seed or ``numpy.random.Generator``.

    Returns:
        float32 (H, W) in [0, 1], multiples of 1/255.

    Example:

    >>> import numpy as np
    >>> x = np.linspace(0, 1, 256).reshape(16, 16)
    >>> y = random_tone(x, seed=0)
    >>> bool(np.all(np.diff(y.ravel()) >= 0)), y.dtype.name  # monotone: the scene's order is kept
    (True, 'float32')
    """
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    y = _to_float(_check_image(image))
    gamma = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
    black = rng.uniform(0.0, 0.5)
    width = rng.uniform(0.15, 1.0 - black)
    return _quantise_8bit(black + width * y**gamma).astype(np.float32)


def _pair_stream(clean, targets, patch, kinds, max_strength, clean_fraction, seed, target=TARGET,
                 tone_fraction=0.0):
    """Endless (degraded crop, target) pairs, (P, P, 1) float32 each.

    ``targets=None``: the target is the CLAHE of the clean crop itself;
    otherwise the crop of the whole image's target at the same place.
    """
    rng = np.random.default_rng(seed)
    names = list(clean)
    sizes = np.array([clean[n].size for n in names], dtype=np.float64)
    probs = sizes / sizes.sum()  # sample images in proportion to their area
    while True:
        name = names[rng.choice(len(names), p=probs)]
        img = clean[name]
        whole_target = None if targets is None else targets[name]
        if tone_fraction and rng.uniform() < tone_fraction:
            img = random_tone(img, rng)  # a new clean photo (H, W) ...
            if targets is not None:
                whole_target = _to_float(clahe_target(img, target))  # ... with its own whole-image target
        h, w = img.shape
        y0, x0 = rng.integers(0, h - patch + 1), rng.integers(0, w - patch + 1)
        x = img[y0 : y0 + patch, x0 : x0 + patch]  # (P, P)
        if whole_target is None:
            t = clahe_target(x, target)  # (P, P): CLAHE of the clean crop, tiles of target.tile_px
        else:
            t = whole_target[y0 : y0 + patch, x0 : x0 + patch]  # (P, P)
        if rng.uniform() >= clean_fraction:
            kind = kinds[rng.integers(len(kinds))]
            x = low_contrast(x, kind, float(rng.uniform(0.0, max_strength)), seed=int(rng.integers(2**31)))
        x = _quantise_8bit(x)  # stored as 8-bit, like a real photo
        k, flip = int(rng.integers(4)), bool(rng.integers(2))
        x, t = np.rot90(x, k), np.rot90(t, k)
        if flip:
            x, t = x[:, ::-1], t[:, ::-1]
        yield x[..., None].astype(np.float32), t[..., None].astype(np.float32)


def clahe_pairs(images, patch=64, batch_size=16, kinds=DEGRADATIONS, max_strength=0.7,
                clean_fraction=0.25, target=TARGET, seed=0, target_from="image", tone_fraction=0.0):
    r"""A ``tf.data`` pipeline of (degraded crop, CLAHE target crop) pairs.

    Each example is a random ``patch`` x ``patch`` crop of a clean photo and
    of its CLAHE target at the same place. The input is the crop degraded by
    a random kind from ``kinds`` with a strength drawn uniformly from
    [0, ``max_strength``] (or left clean with probability
    ``clean_fraction``) and quantised to 8 bits; input and target get the
    same random rotation/flip. With probability ``tone_fraction`` the clean
    photo is first re-exposed by :func:`random_tone` (a new clean photo with
    its own target). The stream is endless and depends only on ``seed``.

    The target (:func:`clahe_target`, 64-pixel tiles) is by default computed
    on the *whole* clean photo and cropped (``target_from="image"``), which
    is what the model is asked to reproduce on a whole photo. Pixels near
    the crop's border then depend on tiles the network does not see:
    ``ConditionalLossConfig.margin`` leaves them out of the loss.
    ``target_from="crop"`` instead takes the CLAHE of each crop on its own;
    that is a different operation, because skimage stretches the image from
    its minimum to its maximum before and after equalising, and a crop's
    range is not the photo's (chapter 11 measures the difference).

    Args:
        images: dict ``{name: (H, W) float in [0, 1]}`` (from
            :func:`load_photos`) or a sequence of such arrays; each at least
            ``patch`` pixels on both sides.
        patch: crop size, 64 or 128.
        batch_size: examples per batch.
        kinds: degradations to draw from (a subset of :data:`DEGRADATIONS`).
        max_strength: the largest degradation strength, in [0, 1].
        clean_fraction: probability that an input is not degraded at all.
        target: a :class:`ClaheTarget`.
        seed: seed of crops, degradations and augmentation.
        target_from: ``"image"`` (crops of the CLAHE of each whole clean
            photo) or ``"crop"`` (CLAHE of each clean crop).
        tone_fraction: probability of re-exposing the clean photo with
            :func:`random_tone` first, in [0, 1].

    Returns:
        ``tf.data.Dataset`` of ``(inputs, targets)``, both float32
        (B, patch, patch, 1) in [0, 1].

    Example:

    >>> import numpy as np
    >>> img = np.random.default_rng(0).uniform(size=(80, 80)).astype("float32")
    >>> ds = clahe_pairs([img], patch=64, batch_size=2)
    >>> x, t = next(iter(ds))
    >>> tuple(x.shape), tuple(t.shape)
    ((2, 64, 64, 1), (2, 64, 64, 1))
    """
    import tensorflow as tf

    check_choice("patch", patch, (64, 128))
    check_positive_int("batch_size", batch_size)
    check_choice("target_from", target_from, ("crop", "image"))
    if not isinstance(target, ClaheTarget):
        raise invalid("target", "a ClaheTarget", f"{type(target).__name__}")
    max_strength = check_float_range("max_strength", max_strength, 0.0, 1.0)
    clean_fraction = check_float_range("clean_fraction", clean_fraction, 0.0, 1.0)
    tone_fraction = check_float_range("tone_fraction", tone_fraction, 0.0, 1.0)
    kinds = tuple(kinds)
    if not kinds:
        raise invalid("kinds", f"a non-empty subset of {DEGRADATIONS}", "kinds=()")
    for k in kinds:
        check_choice("kinds", k, DEGRADATIONS)
    if not isinstance(images, dict):
        images = {f"image_{i}": im for i, im in enumerate(images)}
    clean = {}
    for name, im in images.items():
        y = to_luminance(im)
        if min(y.shape) < patch:
            raise invalid("images", f"images of at least {patch} x {patch} pixels", f"{name} of shape {y.shape}")
        clean[name] = y
    targets = None
    if target_from == "image":
        targets = {n: _to_float(clahe_target(y, target)) for n, y in clean.items()}
    spec = tf.TensorSpec((patch, patch, 1), tf.float32)
    ds = tf.data.Dataset.from_generator(
        lambda: _pair_stream(clean, targets, patch, kinds, max_strength, clean_fraction, seed, target, tone_fraction),
        output_signature=(spec, spec),
    )
    return ds.batch(batch_size, drop_remainder=True).prefetch(2)


def evaluation_pairs(photos=None, setting="clean", strength=0.5, target=TARGET):
    """The fixed evaluation inputs and targets on the held-out photos.

    ``setting="clean"``: the input is the held-out photo itself (can the
    model reproduce CLAHE?). ``setting="degraded"``: each photo degraded by
    each of the four kinds at ``strength``, with seed = the kind's index, and
    quantised to 8 bits (can it undo the damage, then enhance?). The target
    is always the CLAHE of the clean photo.

    Args:
        photos: dict ``{name: (H, W) float}``; default
            ``load_photos(EVAL_IMAGES)``.
        setting: ``"clean"`` or ``"degraded"``.
        strength: degradation strength for ``"degraded"``.
        target: a :class:`ClaheTarget`.

    Returns:
        dict ``{label: (input, target)}``, float32 (H, W) arrays in [0, 1];
        labels are the photo names (clean) or ``"name/kind"`` (degraded).

    Example:

    >>> import numpy as np
    >>> pairs = evaluation_pairs({"flat": np.full((64, 64), 0.5, "float32")}, "degraded")
    >>> sorted(pairs)
    ['flat/compress', 'flat/gamma', 'flat/haze', 'flat/illumination']
    """
    check_choice("setting", setting, ("clean", "degraded"))
    photos = load_photos(EVAL_IMAGES) if photos is None else photos
    out = {}
    for name, img in photos.items():
        img = to_luminance(img).astype(np.float32)
        tgt = clahe_target(img, target)
        if setting == "clean":
            out[name] = (img, tgt)
            continue
        for i, kind in enumerate(DEGRADATIONS):
            x = low_contrast(img, kind, strength, seed=i)
            out[f"{name}/{kind}"] = (_quantise_8bit(x).astype(np.float32), tgt)
    return out


def evaluate(methods, pairs):
    """PSNR and SSIM of each method's output against the targets.

    Args:
        methods: dict ``{method name: fn}``, ``fn`` mapping an (H, W) float
            image in [0, 1] to an enhanced one of the same shape.
        pairs: dict ``{label: (input, target)}`` from :func:`evaluation_pairs`.

    Returns:
        list of dicts ``{"method", "image", "psnr", "ssim"}`` (data range 1).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(32, 32))
    >>> rows = evaluate({"identity": lambda im: im}, {"noise": (x, x)})
    >>> rows[0]["method"], rows[0]["ssim"]
    ('identity', 1.0)
    """
    from stylegan_edu.metrics import psnr, ssim

    rows = []
    for method, fn in methods.items():
        for label, (x, t) in pairs.items():
            y = np.asarray(fn(x), dtype=np.float64)
            rows.append({"method": method, "image": label,
                         "psnr": psnr(t, y, data_range=1.0), "ssim": ssim(t, y, data_range=1.0)})
    return rows


# ---------------------------------------------------------------------------
# Applying a trained generator to a whole image
# ---------------------------------------------------------------------------


def _pad_amount(n, multiple, minimum):
    size = max(minimum, -(-n // multiple) * multiple)
    return size - n


def enhance(image, model=None, tile=512, overlap=32, batch_size=4):
    r"""Enhance an image of any size with a trained generator (default: the shipped one).

    The image is processed on its luminance (RGB: see the module docstring).
    It is first padded by ``overlap`` pixels on every side by reflection,
    the way CLAHE itself pads, so that pixels at the border have context
    like every other pixel. An image up to ``tile`` pixels on each side is
    then padded to the next multiple of the generator's stride
    (:math:`2^\text{depth}`) and run whole; a larger one is cut into
    overlapping ``tile`` x ``tile`` windows whose centres are stitched back
    (the ``overlap`` margins are dropped, so no seams from the zero padding
    at window borders). The output is cropped back to the input's size, so
    odd sizes come back unchanged.

    Args:
        image: uint8 or float in [0, 1]; (H, W), (H, W, 1) or (H, W, 3), with
            H, W at least the model's minimum size (``model.min_size``, 16
            for the shipped generator).
        model: a generator mapping (B, H, W, 1) in [0, 1] to the same shape;
            ``None`` loads :func:`stylegan_edu.pretrained.clahe_generator`.
        tile: window size for large images (a multiple of the stride).
        overlap: context added around the image (by reflection) and margin
            dropped on each side of a window when stitching.
        batch_size: windows per forward pass.

    Returns:
        The enhanced image, same shape, dtype and range as ``image``.

    Raises:
        ValueError: for a non-image, more than 3 channels, or a side smaller
            than the model's minimum size.

    Example:

    >>> import numpy as np
    >>> from stylegan_edu.models import UNetConfig, make_unet_generator
    >>> g = make_unet_generator(UNetConfig(base_filters=4, depth=2))
    >>> enhance(np.zeros((37, 50), np.uint8), model=g).shape
    (37, 50)
    """
    a = _check_image(image)
    if model is None:
        from stylegan_edu.pretrained import clahe_generator

        model = clahe_generator()
    stride = int(getattr(model, "stride", 16))
    min_size = int(getattr(model, "min_size", stride))
    h, w = a.shape[:2]
    if h < min_size or w < min_size:
        raise invalid("image", f"an image of at least {min_size} x {min_size} pixels (the model's minimum)", f"shape {a.shape}")
    check_positive_int("tile", tile, minimum=stride)
    if tile % stride:
        raise invalid("tile", f"a multiple of the model's stride {stride}", f"tile={tile}")
    check_positive_int("batch_size", batch_size)
    overlap = int(overlap)
    if not 0 <= 2 * overlap < tile:
        raise invalid("overlap", f"an integer in [0, {(tile - 1) // 2}]", f"overlap={overlap}")

    def run(batch):  # (B, h, w) float -> (B, h, w) float
        x = np.asarray(batch, np.float32)[..., None]  # (B, h, w, 1)
        y = model(x, training=False)
        return np.clip(np.asarray(y, dtype=np.float64)[..., 0], 0.0, 1.0)

    def fn(y):  # (H, W) float64 in [0, 1]
        H, W = y.shape
        if H <= tile and W <= tile:
            o = overlap
            ph, pw = _pad_amount(H + 2 * o, stride, min_size), _pad_amount(W + 2 * o, stride, min_size)
            mode = "reflect" if max(o + ph, o + pw) < min(H, W) else "symmetric"
            padded = np.pad(y, ((o, o + ph), (o, o + pw)), mode=mode)  # context all round, then to the stride
            return run(padded[None])[0, o : o + H, o : o + W]
        step = tile - 2 * overlap
        # reflect-pad by the overlap all round, and to a whole number of steps
        ny, nx = -(-H // step), -(-W // step)
        padded = np.pad(y, ((overlap, ny * step - H + overlap), (overlap, nx * step - W + overlap)), mode="reflect")
        corners = [(i * step, j * step) for i in range(ny) for j in range(nx)]
        out = np.zeros((ny * step, nx * step))
        for k in range(0, len(corners), batch_size):
            chunk = corners[k : k + batch_size]
            res = run([padded[r : r + tile, c : c + tile] for r, c in chunk])  # (b, tile, tile)
            for (r, c), win in zip(chunk, res):
                out[r : r + step, c : c + step] = win[overlap : overlap + step, overlap : overlap + step]
        return out[:H, :W]

    return _apply_on_luminance(a, fn)
