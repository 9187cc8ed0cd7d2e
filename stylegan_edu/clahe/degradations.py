r"""Degradations: realistic ways to lower a photo's contrast or damage it, and random re-exposures.

:func:`low_contrast` lowers a photo's contrast and :func:`damage` adds the
damage of a real camera or file (noise, blur, JPEG compression, a dim noisy
exposure); the target of either stays the CLAHE of the original.
:func:`random_tone` re-exposes a photo into a new *clean* photo (whose target
is its own CLAHE). All three work on the luminance of grey or RGB images and
depend only on their seed.
"""

import io

import numpy as np

from stylegan_edu._validation import check_choice, check_float_range, check_seed
from stylegan_edu.clahe._image import _apply_on_luminance, _check_image, _quantise_8bit, _to_float

__all__ = ["DEGRADATIONS", "RESTORATION_DEGRADATIONS", "low_contrast", "damage", "random_tone"]

#: The degradations :func:`low_contrast` knows.
DEGRADATIONS = ("gamma", "compress", "haze", "illumination")

#: The damage :func:`damage` knows (the restoration task's inputs).
RESTORATION_DEGRADATIONS = ("noise", "blur", "jpeg", "dim_noisy")


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
        image: uint8 or float in [0, 1], grey or RGB (on its luminance, see :mod:`stylegan_edu.clahe`).
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
    rng = np.random.default_rng(check_seed("seed", seed))

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


def _jpeg_round_trip(y, quality):
    """Encode an (H, W) float image in [0, 1] as an 8-bit grey JPEG in memory and decode it back, float64."""
    from PIL import Image

    buffer = io.BytesIO()
    Image.fromarray(np.round(np.clip(y, 0.0, 1.0) * 255.0).astype(np.uint8)).save(buffer, format="JPEG", quality=quality)
    buffer.seek(0)
    with Image.open(buffer) as decoded:
        return np.asarray(decoded.convert("L"), dtype=np.float64) / 255.0  # (H, W)


def damage(image, kind="noise", strength=0.5, seed=None):
    r"""Damage an image as a camera or a file does: noise, blur, JPEG, or a dim noisy exposure.

    The inputs of the restoration task, whose target stays the CLAHE of the
    undamaged photo: CLAHE amplifies noise and compression artefacts, so a
    good enhancer must restore before it enhances.

    Formula (on the luminance :math:`I \in [0, 1]`, strength :math:`s`,
    :math:`n \sim \mathcal{N}(0, 1)` i.i.d. per pixel):

    * ``"noise"``, sensor noise: :math:`I' = \mathrm{clip}_{[0, 1]}(I + 0.1 s\, n)`.
    * ``"blur"``, defocus or motion: :math:`I' = G_{3 s} * I`, a Gaussian
      blur of standard deviation :math:`3 s` pixels
      (``scipy.ndimage.gaussian_filter``, reflected borders).
    * ``"jpeg"``, a compressed file: :math:`I` is rounded to 8 bits,
      compressed by Pillow's JPEG encoder at quality
      :math:`\mathrm{round}(90 - 85 s)` (90 at :math:`s` near 0, 48 at 0.5, 5
      at 1) and decoded back.
    * ``"dim_noisy"``, a dim, noisy exposure: :func:`low_contrast`
      ``"compress"`` at :math:`s` (:math:`I_c = m + (1 - 0.8 s)(I - m)`),
      then :math:`I' = \mathrm{clip}_{[0, 1]}(I_c + 0.06 s\, n)`.

    Strength 0 leaves the image unchanged, except that ``"jpeg"`` always
    rounds to 8 bits (a JPEG file holds 8-bit levels): at :math:`s = 0` it
    returns the 8-bit image without compressing it. An RGB image is damaged
    on its luminance only (grey noise; chroma kept, see
    :mod:`stylegan_edu.clahe`). The noise depends only on ``seed``.

    Args:
        image: uint8 or float in [0, 1], grey or RGB (on its luminance, see :mod:`stylegan_edu.clahe`).
        kind: one of :data:`RESTORATION_DEGRADATIONS`.
        strength: :math:`s` in [0, 1]; 0 leaves the image unchanged (up to
            8-bit rounding for ``"jpeg"``).
        seed: seed of the noise (``"noise"`` and ``"dim_noisy"``).

    Returns:
        The damaged image, same shape, dtype and range.

    Example:

    >>> import numpy as np
    >>> x = np.full((64, 64), 0.5)
    >>> round(float(damage(x, "noise", 0.5, seed=0).std()), 2)  # sigma = 0.1 * 0.5
    0.05
    >>> bool(np.array_equal(damage(x, "blur", 0.0), x))
    True
    """
    check_choice("kind", kind, RESTORATION_DEGRADATIONS)
    s = check_float_range("strength", strength, 0.0, 1.0)
    rng = np.random.default_rng(check_seed("seed", seed))

    def fn(y):  # y: (H, W) float64 in [0, 1]
        if kind == "noise":
            return np.clip(y + rng.normal(0.0, 0.1 * s, y.shape), 0.0, 1.0)  # (H, W)
        if kind == "blur":
            from scipy.ndimage import gaussian_filter

            return gaussian_filter(y, 3.0 * s, mode="reflect") if s > 0 else y
        if kind == "jpeg":
            if s == 0:
                return np.round(y * 255.0) / 255.0  # 8-bit levels, no compression
            return _jpeg_round_trip(y, quality=round(90 - 85 * s))
        dim = low_contrast(y, "compress", s)  # (H, W) float64
        return np.clip(dim + rng.normal(0.0, 0.06 * s, y.shape), 0.0, 1.0)

    return _apply_on_luminance(image, fn)


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
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(check_seed("seed", seed))
    y = _to_float(_check_image(image))
    gamma = float(np.exp(rng.uniform(np.log(0.5), np.log(2.0))))
    black = rng.uniform(0.0, 0.5)
    width = rng.uniform(0.15, 1.0 - black)
    return _quantise_8bit(black + width * y**gamma).astype(np.float32)
