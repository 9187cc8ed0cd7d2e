r"""Classical baselines for the restoration task: restore, then CLAHE.

The restoration task's input is a photo damaged by
:func:`~stylegan_edu.clahe.damage` (noise, blur, JPEG, a dim noisy
exposure); its target is the CLAHE of the *clean* photo. CLAHE alone
amplifies the damage along with the detail, so each classical pipeline first
restores the image with one textbook filter (the filters are
:data:`~stylegan_edu.clahe.REPAIRS`, in :mod:`stylegan_edu.clahe.repairs`),
then applies :func:`~stylegan_edu.clahe.clahe_target`:

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
from stylegan_edu.clahe.repairs import REPAIRS

__all__ = ["CLASSICAL_PIPELINES", "classical_pipeline"]


def _none(y):
    return y


#: The restoration step of each pipeline, on an (H, W) float64 luminance in [0, 1].
_RESTORE = {"CLAHE": _none, **{f"{name} + CLAHE": REPAIRS[name] for name in ("Gaussian", "bilateral", "NL-means", "TV", "unsharp")}}


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
