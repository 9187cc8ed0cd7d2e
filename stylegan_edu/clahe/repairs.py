r"""Classical repairs of a damaged photo: the filters of the restore-then-CLAHE pipelines.

Each repair maps an (H, W) float luminance in [0, 1] to a repaired one of
the same shape (see :mod:`stylegan_edu.clahe.pipelines` for each filter's
settings). :func:`repair_stack` puts an image and its repairs side by side
as channels: the input of a restoring model that *learns to combine*
classical repairs (:class:`~stylegan_edu.clahe.ToneGridConfig`,
``restore_repairs``), which knows neither the kind nor the strength of the
damage.
"""

import numpy as np

from stylegan_edu._validation import check_names
from stylegan_edu.clahe._image import to_luminance

__all__ = ["REPAIRS", "repair_stack"]


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


#: The classical repairs, ``{name: fn((H, W) float64) -> (H, W) float64}``.
REPAIRS = {
    "NL-means": _nl_means,
    "TV": _tv,
    "unsharp": _unsharp,
    "Gaussian": _gaussian,
    "bilateral": _bilateral,
}


def repair_stack(image, repairs=tuple(REPAIRS)):
    r"""An image and its classical repairs, stacked as channels.

    Formula:
        :math:`S = [\,x, R_1(x), \dots, R_K(x)\,]` along the last axis, with
        :math:`R_k` the repairs named in ``repairs``.

    Args:
        image: uint8 or float in [0, 1], grey or RGB (its luminance is used).
        repairs: names from :data:`REPAIRS` (a bare string is one name).

    Returns:
        float32 (H, W, 1 + K) in [0, 1]; channel 0 is the image itself.

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).uniform(size=(32, 48))
    >>> s = repair_stack(x, ("TV", "unsharp"))
    >>> s.shape, bool(np.allclose(s[..., 0], x))
    ((32, 48, 3), True)
    """
    names = check_names("repairs", repairs, tuple(REPAIRS))
    y = np.asarray(to_luminance(image), np.float64)  # (H, W); RGB: its luminance
    return np.stack([y] + [np.clip(REPAIRS[n](y), 0.0, 1.0) for n in names], axis=-1).astype(np.float32)
