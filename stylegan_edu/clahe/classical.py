r"""Classical CLAHE and global histogram equalisation.

CLAHE (contrast limited adaptive histogram equalisation, Zuiderveld 1994)
splits an image into a grid of tiles, equalises the histogram of each tile
after *clipping* it at a limit (so flat regions do not get their noise blown
up), and interpolates bilinearly between the mappings of neighbouring tiles so
that no tile borders show. :func:`clahe` wraps
``skimage.exposure.equalize_adapthist`` and OpenCV's ``cv2.createCLAHE`` with
one convention for the clip limit; :func:`clip_histogram` is the clipping step
on its own, written out to teach it.

**Clip limits.** ``clip_limit`` is always skimage's *normalised* limit in
(0, 1]: a histogram bin of a tile with :math:`n` pixels may hold at most
:math:`\lfloor c\,n \rfloor` pixels. OpenCV's ``clipLimit`` is relative to the
mean bin height :math:`n / 256` instead, so the same limit is
``clipLimit = 256 * clip_limit`` (skimage's default 0.01 is OpenCV's 2.56).
The two backends still differ: skimage first stretches the image to its full
range (min to max) and stretches the result again, OpenCV does neither, and
they interpolate slightly differently.
"""

import numpy as np

from stylegan_edu._validation import check_array, check_choice, check_float_range, check_positive_int, invalid
from stylegan_edu.clahe._image import _apply_on_luminance, _check_image

__all__ = ["BACKENDS", "opencv_clip_limit", "clahe", "clip_histogram", "global_equalize"]

#: The implementations :func:`clahe` wraps.
BACKENDS = ("skimage", "opencv")


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
    return float(check_positive_int("nbins", nbins)) * clip_limit


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
    :mod:`stylegan_edu.clahe`), not through skimage's HSV value channel.

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
    check_choice("backend", backend, BACKENDS)
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
    h = check_array("hist", hist, min_size=0)  # float64: real numbers, finite
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
        image: uint8 or float in [0, 1], grey or RGB (on its luminance, see :mod:`stylegan_edu.clahe`).

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
