r"""Neural style transfer on photographs (Gatys et al., 2016), as chapter 10 teaches it.

:func:`stylize` optimises the pixels of an image so that its VGG features
match a content photograph's and its Gram matrices match a painting's, with
the losses of :mod:`stylegan_edu.losses` and the extractor of
:mod:`stylegan_edu.features`. It is a short wrapper over the package's one
pixel-optimisation engine, :mod:`stylegan_edu.pixel_optimisation`, whose
:class:`~stylegan_edu.pixel_optimisation.StyleTransferConfig` holds every
setting (layers, weights, steps, size, learning rate, start). :func:`load_image` turns anything a reader
has at hand (a ``skimage.data`` name, a shipped painting, a file, an array)
into the float RGB image the optimisation wants.

The normalisation, and how it relates to the article's weights
-----------------------------------------------------------------

The source article weights its mixed loss with
:math:`(\lambda, \mu, \gamma) = (1, 100, 10^{-6})` on *raw sums*
(:data:`stylegan_edu.losses.ARTICLE_WEIGHTS`, the article's raw weights): the content
loss :math:`\tfrac12\sum (F - P)^2` grows with the number of feature values
:math:`N_l = H_l W_l C_l`, an un-normalised Gram matrix grows with
:math:`H_l W_l`, the TV sum grows with the number of pixels, and all of them
grow with the scale of the network's activations. So the three numbers mean
something for one image size and one set of weights only; change the size
or use a random-weights VGG and the balance is gone.

:func:`stylize` makes every term a dimensionless *relative* error, so that
its weights are plain ratios that carry over between sizes and networks
(its default, :data:`NORMALISED_WEIGHTS` = (1, 10, 0.5), the normalised weights that work):

.. math::

    L = \lambda \underbrace{\frac{1}{|\mathcal C|}\sum_{l \in \mathcal C}
        \frac{\mathrm{mean}\,(F^l - P^l)^2}{\mathrm{mean}\,(P^l)^2}}_{\text{content}}
      + \mu \underbrace{\frac{1}{|\mathcal S|}\sum_{l \in \mathcal S}
        \frac{\mathrm{mean}\,(G^l - A^l)^2}{\mathrm{mean}\,(A^l)^2}}_{\text{style}}
      + \gamma \underbrace{\frac{TV_1(x)}{HWC}}_{\text{TV}}

with :math:`G^l = F^{l\top} F^l / (H_l W_l)` (:func:`~stylegan_edu.losses.gram_matrix`),
computed by :func:`~stylegan_edu.losses.mixed_loss` with ``content_reduction="mean"``:
content features are divided by the target's RMS, style features multiplied
by :math:`\mathrm{mean}((A^l)^2)^{-1/4}` (which divides each layer's squared Gram
error by :math:`\mathrm{mean}((A^l)^2)`), and the TV weight is divided by the
number of pixel values. The article's weights in these units are

.. math::

    \lambda' = \tfrac12 \lambda \, N_l\, \mathrm{mean}((P^l)^2), \quad
    \mu'_l = \mu\, |\mathcal S|\, (H_l W_l)^2 C_l^2\, \mathrm{mean}((A^l)^2), \quad
    \gamma' = \gamma\, HWC,

which :func:`article_weights_in_our_units` computes for a given pair of
images: with ImageNet features they differ by many orders of magnitude from
layer to layer, which is why the article's 1/100/1e-6 cannot be a good
default. The TensorFlow tutorial uses the same mean-squared Gram and
content losses as ours but without the division by the target's scale, so
its weights (1e4 content, 1e-2 style) are tied to ImageNet VGG19's
activation scale.
"""

import os
from pathlib import Path

import numpy as np

from stylegan_edu._validation import as_image, check_allocation, check_bool, check_positive_int, invalid
from stylegan_edu.losses import ARTICLE_WEIGHTS
from stylegan_edu.pixel_optimisation import (
    DEFAULT_CONTENT_LAYERS,
    DEFAULT_STYLE_LAYERS,
    NORMALISED_WEIGHTS,
    MIN_SIZE,
    PixelOptimiser,
    StyleTransferConfig,
    Stylized,
    _check_callback,
    feature_targets,
)

__all__ = [
    "SKIMAGE_IMAGES",
    "MIN_SIZE",
    "DEFAULT_CONTENT_LAYERS",
    "DEFAULT_STYLE_LAYERS",
    "NORMALISED_WEIGHTS",
    "StyleTransferConfig",
    "load_image",
    "resize_long_side",
    "Stylized",
    "stylize",
    "article_weights_in_our_units",
]

#: ``skimage.data`` photographs that ship inside scikit-image (no download), usable by name.
SKIMAGE_IMAGES = (
    "astronaut", "brick", "camera", "cat", "chelsea", "clock", "coffee", "coins", "colorwheel",
    "grass", "gravel", "hubble_deep_field", "immunohistochemistry", "logo", "moon", "page",
    "retina", "rocket", "text",
)
# MIN_SIZE, the default layers and weights, StyleTransferConfig and Stylized live with the engine,
# in stylegan_edu.pixel_optimisation; they are imported here so that `style_transfer.X` reads naturally.

_IMAGE_RANKS = "a (H, W) grey, (H, W, 1), (H, W, 3) RGB or (H, W, 4) RGBA image"


# ---------------------------------------------------------------------------
# Inputs
# ---------------------------------------------------------------------------


def _read_file(name, path):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(path) as im:
            im.load()
            if im.mode in ("I;16", "I;16B", "I;16L", "I"):
                return np.asarray(im, dtype=np.float64) / (65535.0 if im.mode.startswith("I;16") else max(1.0, np.asarray(im).max()))
            if im.mode not in ("L", "RGB", "RGBA", "LA"):
                im = im.convert("RGBA" if "A" in im.getbands() else "RGB")
            return np.asarray(im)
    except (UnidentifiedImageError, OSError, ValueError) as e:
        raise invalid(name, "an image file that Pillow can read (PNG, JPEG, ...)",
                      f"{name}={str(path)!r} ({type(e).__name__}: {e})") from e


def _from_name(name, value):
    import skimage.data

    from stylegan_edu.data import list_style_images, style_image

    if value in SKIMAGE_IMAGES:
        return getattr(skimage.data, value)()
    if value in list_style_images():
        return style_image(value)
    path = Path(os.path.expanduser(value))
    if path.is_file():
        return _read_file(name, path)
    raise invalid(
        name,
        "a skimage.data name (" + ", ".join(SKIMAGE_IMAGES) + "), a shipped style image ("
        + ", ".join(list_style_images()) + "), the path of an image file, or an array",
        f"{name}={value!r} (no such name or file)",
    )


def _to_float_rgb(name, a):
    a = np.asarray(a)
    if a.dtype == bool:
        a = a.astype(np.float32)
    elif a.dtype.kind == "u" and a.dtype != np.uint8:  # uint16 (16-bit PNG) and wider: scale to [0, 1]
        a = a.astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    elif a.dtype != np.uint8 and a.dtype.kind != "f":
        raise invalid(name, "a uint8, uint16, bool or float array", f"dtype={a.dtype}")
    a = as_image(a, to=(0, 1), name=name)  # uint8 / 255; floats checked finite and in [0, 1]
    if a.ndim == 2:
        a = a[:, :, None]  # (H, W, 1)
    if a.ndim != 3 or a.shape[-1] not in (1, 2, 3, 4):
        raise invalid(name, _IMAGE_RANKS, f"shape {a.shape}")
    if a.shape[-1] in (2, 4):
        a = a[..., :-1]  # drop the alpha channel: (H, W, 1) or (H, W, 3)
    if a.shape[-1] == 1:
        a = np.repeat(a, 3, axis=-1)  # grey to RGB: (H, W, 3)
    if min(a.shape[:2]) < MIN_SIZE:
        raise invalid(name, f"an image at least {MIN_SIZE} x {MIN_SIZE} px (VGG halves it five times)", f"shape {a.shape}")
    return np.ascontiguousarray(a, dtype=np.float32)


def resize_long_side(image, size):
    """Resize an (H, W, C) float image so that its long side is ``size`` px (aspect kept, anti-aliased).

    Args:
        image: float array (H, W, C) in [0, 1].
        size: the new long side in pixels, an integer >= 32.

    Returns:
        numpy.ndarray: float32 (H', W', C) with ``max(H', W') == size``.

    Raises:
        ValueError: if the short side would fall below 32 px.

    Example:

    >>> import numpy as np
    >>> resize_long_side(np.zeros((300, 450, 3), "float32"), 64).shape
    (43, 64, 3)
    """
    import skimage.transform

    image = as_image(image, (0, 1), name="image", ndim=(2, 3))  # real, finite, in [0, 1]; hints at 0..255
    if image.size == 0:
        raise invalid("image", "a non-empty image", f"shape {image.shape}")
    size = check_positive_int("size", size, MIN_SIZE)
    h, w = image.shape[:2]
    scale = size / max(h, w)
    shape = (max(1, round(h * scale)), max(1, round(w * scale)))  # (H', W')
    check_allocation("size", (*shape, *image.shape[2:]), 8, received=f"size={size}")
    if min(shape) < MIN_SIZE:
        raise invalid("size", f"a long side that keeps the short side >= {MIN_SIZE} px for a {h} x {w} image",
                      f"size={size} (gives {shape[0]} x {shape[1]})")
    if shape == (h, w):
        return np.array(image, dtype=np.float32, copy=True)
    out = skimage.transform.resize(image, shape + image.shape[2:], anti_aliasing=scale < 1, preserve_range=True)
    return np.clip(out, 0.0, 1.0).astype(np.float32)


def load_image(image, size=None, name="image"):
    """Load an image as float32 RGB in [0, 1], resized so its long side is ``size``.

    Accepts a ``skimage.data`` name (:data:`SKIMAGE_IMAGES`, e.g.
    ``"astronaut"``), a shipped painting's name
    (:func:`stylegan_edu.data.list_style_images`), a file path (``str`` or
    ``pathlib.Path``), or an array: uint8 (0..255), uint16, bool or float
    (values in [0, 1]). Grey images become RGB; an alpha channel is dropped.

    Args:
        image: the image, in any of the forms above.
        size: the long side in pixels after resizing (aspect kept), or
            ``None`` to keep the size.
        name: the argument's name, used in error messages.

    Returns:
        numpy.ndarray: float32, shape (H, W, 3), values in [0, 1].

    Raises:
        ValueError: for an unknown name, a missing or non-image file, an
            array of the wrong rank, channels or dtype, float values outside
            [0, 1], or an image smaller than 32 px.

    Example:

    >>> load_image("camera", size=64).shape  # a grey photograph, made RGB
    (64, 64, 3)
    >>> load_image("chelsea", size=64).shape
    (43, 64, 3)
    >>> load_image("mona_lisa")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `image`. Expected a skimage.data name (astronaut, ...
    """
    if isinstance(image, (str, os.PathLike)):
        a = _from_name(name, os.fspath(image)) if isinstance(image, str) else _read_file(name, Path(image))
    elif hasattr(image, "shape"):
        a = np.asarray(image)
    else:
        raise invalid(name, "a skimage.data name, a style name, a file path or an array", f"{name} of type {type(image).__name__}")
    a = _to_float_rgb(name, a)  # (H, W, 3)
    if size is not None:
        a = resize_long_side(a, size)  # (H', W', 3)
    return a


# ---------------------------------------------------------------------------
# The optimisation: a short wrapper over stylegan_edu.pixel_optimisation
# ---------------------------------------------------------------------------


def stylize(content, style, config=None, *, extractor=None, callback=None, callback_every=10, progress=True):
    r"""Stylise a photograph with a painting by optimising its pixels (Gatys et al.).

    A short wrapper over the pixel-optimisation engine:
    ``PixelOptimiser(content, style, config, extractor).run(...)``
    (:class:`~stylegan_edu.pixel_optimisation.PixelOptimiser`).

    Formula:
        Starting from the content image (or noise), Adam minimises the
        normalised mixed loss of the module docstring,

        .. math:: L(x) = \lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma TV/(HWC),

        over the pixels :math:`x \in [0, 1]^{H \times W \times 3}` (clipped
        after each step). One step (forward through VGG, gradient, Adam
        update, clip) runs as a single ``tf.function``, XLA-compiled when
        ``config.jit_compile`` is on.

    Args:
        content: the photograph: a ``skimage.data`` name, a style name, a
            path or an array (see :func:`load_image`).
        style: the painting, in the same forms (e.g. ``"starry_night_van_gogh"``).
        config: a :class:`~stylegan_edu.pixel_optimisation.StyleTransferConfig`
            (layers, weights, steps, size, learning rate, start, network);
            ``None`` for the defaults.
        extractor: optional ready extractor, ``extractor(images) -> {layer: features}``
            (e.g. from :func:`stylegan_edu.features.vgg16_extractor`);
            overrides ``config.network``, ``config.vgg_weights`` and ``config.seed``
            for the network.
        callback: optional ``callback(step, image, losses)``, called every
            ``callback_every`` steps and after the last, with the current
            image (numpy (H, W, 3)) and a dict of the current loss parts.
            If it returns ``False`` the optimisation stops there.
        callback_every: steps between callback calls and non-finite checks.
        progress: show a tqdm progress bar.

    Returns:
        Stylized: ``image`` float32 (H, W, 3) in [0, 1] with the resized
        content's shape, ``history`` of each weighted loss part per step,
        ``weights_source``, ``weights_label`` and ``seconds_per_step``. Unpacks as
        ``image, history``.

    Raises:
        ValueError: for bad images (see :func:`load_image`) or arguments.
        FloatingPointError: when the loss becomes NaN or infinite; the
            message gives the step and the parts, and what to change.

    Example:

    >>> import contextlib, io
    >>> config = StyleTransferConfig(steps=3, size=48, vgg_weights=None)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the random-weights notice
    ...     image, history = stylize("chelsea", "the_scream_munch", config, progress=False)
    >>> image.shape, image.dtype, len(history["total"])
    ((32, 48, 3), dtype('float32'), 3)
    >>> bool(0.0 <= image.min() and image.max() <= 1.0)
    True
    """
    _check_callback(callback, callback_every)  # before the images are loaded and the network built
    progress = check_bool("progress", progress)
    optimiser = PixelOptimiser(content, style, config, extractor)
    return optimiser.run(progress=progress, callback=callback, callback_every=callback_every)


def article_weights_in_our_units(content, style, extractor, weights=ARTICLE_WEIGHTS,
                                 content_layers=DEFAULT_CONTENT_LAYERS, style_layers=DEFAULT_STYLE_LAYERS):
    r"""The article's raw-sum weights expressed as weights of :func:`stylize`'s normalised losses.

    Formula:
        For content layer :math:`l` with :math:`N_l` values and style layer
        :math:`l` of size :math:`H_l \times W_l \times C_l`:

        .. math::

            \lambda' = \lambda\,\tfrac12 N_l\,\mathrm{mean}((P^l)^2), \quad
            \mu'_l = \mu\, |\mathcal S|\, (H_l W_l)^2 C_l^2\, \mathrm{mean}((A^l)^2), \quad
            \gamma' = \gamma\, HWC

        (the article's Gram matrix is not divided by :math:`H_l W_l`, its style
        term is a plain sum over layers, its TV a plain sum over pixels).

    Args:
        content: the content image, float (H, W, 3) in [0, 1] (see :func:`load_image`).
        style: the style image, float (H_s, W_s, 3).
        extractor: the VGG extractor (must return the content and style layers).
        weights: the article's weights, :data:`~stylegan_edu.losses.ARTICLE_WEIGHTS` = (1, 100, 1e-6).
        content_layers: see :class:`~stylegan_edu.pixel_optimisation.StyleTransferConfig`.
        style_layers: the same.

    Returns:
        dict: ``{"content": float, "style": {layer: float}, "tv": float}``.

    Example:

    >>> import contextlib, io, numpy as np
    >>> from stylegan_edu.features import vgg16_extractor
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     vgg = vgg16_extractor(["block1_conv1", "block4_conv2"], vgg_weights=None)
    >>> x = load_image("coffee", 64)
    >>> w = article_weights_in_our_units(x, x, vgg, content_layers=["block4_conv2"], style_layers=["block1_conv1"])
    >>> round(w["tv"], 4)  # 1e-6 * 43 * 64 * 3
    0.0083
    """
    import tensorflow as tf

    layers = StyleTransferConfig(content_layers=content_layers, style_layers=style_layers)  # validates the layers
    content_layers, style_layers = layers.content_layers, layers.style_layers
    P, A = feature_targets(extractor, content, style, content_layers, style_layers)

    fs = extractor(tf.constant(np.asarray(style, np.float32)[None]))
    lam = np.mean([0.5 * np.size(P[l]) * np.mean(np.square(P[l])) for l in content_layers])
    mu = {}
    for l in style_layers:
        _, h, w, c = fs[l].shape
        mu[l] = float(weights.style * len(style_layers) * (h * w) ** 2 * c ** 2 * np.mean(np.square(A[l])))
    h, w, c = np.shape(content)
    return {"content": float(weights.content * lam), "style": mu, "tv": float(weights.tv * h * w * c)}
