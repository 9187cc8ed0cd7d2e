r"""Image handling shared by the CLAHE modules: checks, dtypes, grey and RGB.

Every function of :mod:`stylegan_edu.clahe` takes uint8 images or floats in
[0, 1], grey (H, W) or (H, W, 1) or RGB (H, W, 3), and returns the dtype and
range it was given. An RGB image is handled on its luminance (see the
package docstring).
"""

import numpy as np

from stylegan_edu._validation import as_image, check_finite, invalid

__all__ = ["to_luminance"]

_LUMA = np.array([0.299, 0.587, 0.114])  # ITU-R BT.601 luminance weights


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
    if a.size == 0:
        raise invalid(name, "a non-empty image", f"shape {a.shape}")
    if a.dtype.kind == "f":
        check_finite(name, a)
        lo, hi = float(a.min()), float(a.max())
        if lo < 0.0 or hi > 1.0:
            raise invalid(name, "float values in [0, 1] (or a uint8 image)", f"min={lo:.4g}, max={hi:.4g}")
    return a


def _to_float(a):
    """uint8 -> float64 in [0, 1]; float -> float64."""
    return as_image(a, to=(0, 1), dtype="float64")


def _quantise_8bit(x):
    """Round float grey levels to the 256 levels of an 8-bit photo (values stay floats of x's dtype)."""
    return as_image(as_image(x, (0, 1), to="uint8", clip=True), to=(0, 1), dtype=x.dtype)


def _from_float(x, dtype):
    """float in [0, 1] -> ``dtype``, clipped (uint8 rounds, like ``skimage.util.img_as_ubyte``)."""
    if np.dtype(dtype) == np.uint8:
        return as_image(x, (0, 1), to="uint8", clip=True)
    return np.clip(x, 0.0, 1.0).astype(dtype)


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
