r"""Classical baselines for the restoration task: restore, then CLAHE.

The restoration task's input is a photo damaged by
:func:`~stylegan_edu.clahe.damage` (noise, blur, JPEG, a dim noisy
exposure); its target is the CLAHE of the *clean* photo. CLAHE alone
amplifies the damage along with the detail, so each classical pipeline first
restores the image with one textbook filter, then applies
:func:`~stylegan_edu.clahe.clahe_target`:

* ``"CLAHE"``: no restoration, the input as it is;
* ``"Gaussian + CLAHE"``: a Gaussian blur of standard deviation 1 pixel;
* ``"bilateral + CLAHE"``: OpenCV's bilateral filter on the 8-bit image
  (``d=5``, ``sigmaColor=30`` grey levels, ``sigmaSpace=5`` pixels), which
  smooths flat regions but not across edges;
* ``"NL-means + CLAHE"``: non-local means (``skimage.restoration.denoise_nl_means``,
  5 x 5 patches searched within 6 pixels, ``fast_mode``) with
  :math:`h = 0.8 \hat\sigma`, where :math:`\hat\sigma` is the noise level
  estimated as ``skimage.restoration.estimate_sigma`` does (the median
  absolute finest diagonal wavelet coefficient over 0.6745, with a Haar
  wavelet so that PyWavelets is not needed);
* ``"TV + CLAHE"``: total-variation denoising
  (``skimage.restoration.denoise_tv_chambolle``, weight 0.05);
* ``"unsharp + CLAHE"``: an unsharp mask (``skimage.filters.unsharp_mask``,
  radius 2, amount 1), which sharpens blur rather than removing noise.

Each takes a few hundredths to about two tenths of a second on a 512 x 512
photo, on a CPU.
"""

import numpy as np

from stylegan_edu._validation import check_choice, invalid
from stylegan_edu.clahe._image import _apply_on_luminance, _check_image
from stylegan_edu.clahe.pairs import TARGET, ClaheTarget, clahe_target

__all__ = ["CLASSICAL_PIPELINES", "classical_pipeline"]


def _estimate_noise(y):
    r"""The standard deviation of white Gaussian noise in an (H, W) float image, from its finest wavelet details.

    Formula:
        Donoho's robust estimate, :math:`\hat\sigma = \mathrm{median}(|d|) / 0.6745`,
        over the diagonal Haar coefficients of the 2 x 2 blocks,
        :math:`d = (I_{00} - I_{01} - I_{10} + I_{11}) / 2`. White noise of
        standard deviation :math:`\sigma` gives coefficients of standard
        deviation :math:`\sigma`, while a smooth image gives coefficients
        near 0; the median ignores the few large ones at edges. This is
        ``skimage.restoration.estimate_sigma`` with a Haar wavelet (skimage's
        uses Daubechies 2 through PyWavelets, which this package does not
        require).

    Args:
        y: (H, W) float array in [0, 1].

    Returns:
        float: :math:`\hat\sigma` on the [0, 1] scale (0 for an image
        narrower than 2 pixels).

    Example:

    >>> import numpy as np
    >>> noisy = 0.5 + np.random.default_rng(0).normal(0, 0.05, (256, 256))
    >>> round(_estimate_noise(noisy), 2)
    0.05
    """
    h, w = (y.shape[0] // 2) * 2, (y.shape[1] // 2) * 2
    if h == 0 or w == 0:
        return 0.0
    y = y[:h, :w]
    d = (y[0::2, 0::2] - y[0::2, 1::2] - y[1::2, 0::2] + y[1::2, 1::2]) / 2.0  # (H/2, W/2)
    return float(np.median(np.abs(d)) / 0.6745)


def _none(y):
    return y


def _gaussian(y):  # y: (H, W) float64 in [0, 1]
    from scipy.ndimage import gaussian_filter

    return gaussian_filter(y, 1.0, mode="reflect")


def _bilateral(y):
    import cv2

    y8 = np.round(y * 255.0).astype(np.uint8)  # (H, W): OpenCV's sigmaColor is in grey levels
    return cv2.bilateralFilter(y8, d=5, sigmaColor=30, sigmaSpace=5) / 255.0


def _nl_means(y):
    from skimage.restoration import denoise_nl_means

    sigma = _estimate_noise(y)
    if sigma <= 1e-6:  # no measurable noise: nothing to remove (and h = 0 would divide by zero)
        return y
    return denoise_nl_means(y, h=0.8 * sigma, sigma=sigma, fast_mode=True, patch_size=5, patch_distance=6)


def _tv(y):
    from skimage.restoration import denoise_tv_chambolle

    return denoise_tv_chambolle(y, weight=0.05)


def _unsharp(y):
    from skimage.filters import unsharp_mask

    return unsharp_mask(y, radius=2, amount=1)


#: The restoration step of each pipeline, on an (H, W) float64 luminance in [0, 1].
_RESTORE = {
    "CLAHE": _none,
    "Gaussian + CLAHE": _gaussian,
    "bilateral + CLAHE": _bilateral,
    "NL-means + CLAHE": _nl_means,
    "TV + CLAHE": _tv,
    "unsharp + CLAHE": _unsharp,
}


def classical_pipeline(name, target=TARGET):
    r"""A classical restore-then-CLAHE pipeline, as one function of an image.

    Formula:
        :math:`\hat y = \mathrm{CLAHE}_{\text{target}}(R(x))`, where
        :math:`R` is the pipeline's restoration filter (see the module
        docstring) and :math:`\mathrm{CLAHE}_{\text{target}}` is
        :func:`~stylegan_edu.clahe.clahe_target`.

    The restoration runs on the luminance of a grey or RGB image (chroma is
    kept, see :mod:`stylegan_edu.clahe`); a uint8 image stays 8-bit between
    the two steps.

    Args:
        name: one of the keys of :data:`CLASSICAL_PIPELINES`.
        target: the :class:`~stylegan_edu.clahe.ClaheTarget` of the last step.

    Returns:
        A function ``fn(image)`` that takes uint8 or float in [0, 1], grey or
        RGB, and returns the enhanced image with the same shape, dtype and
        range (for :func:`~stylegan_edu.clahe.evaluate`).

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(0.3, 0.6, (64, 64)).astype("float32")
    >>> out = classical_pipeline("TV + CLAHE")(x)
    >>> out.shape, out.dtype.name, bool(0 <= out.min() and out.max() <= 1)
    ((64, 64), 'float32', True)
    """
    check_choice("name", name, tuple(_RESTORE))
    if not isinstance(target, ClaheTarget):
        raise invalid("target", "a ClaheTarget", f"{type(target).__name__}")
    restore = _RESTORE[name]

    def pipeline(image):
        a = _check_image(image)
        restored = a if restore is _none else _apply_on_luminance(a, restore)  # same shape and dtype as image
        return clahe_target(restored, target)

    pipeline.__name__ = pipeline.__qualname__ = "pipeline_" + name.split(" ")[0].lower().replace("-", "_")
    pipeline.__doc__ = f"The {name!r} pipeline (see :func:`classical_pipeline`)."
    return pipeline


#: The classical restore-then-CLAHE baselines, ``{name: fn(image)}``, with
#: the chapter's :data:`~stylegan_edu.clahe.TARGET` (see :func:`classical_pipeline`).
CLASSICAL_PIPELINES = {name: classical_pipeline(name) for name in _RESTORE}
