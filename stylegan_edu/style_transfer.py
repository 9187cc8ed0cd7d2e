r"""Neural style transfer on photographs (Gatys et al., 2016), as chapter 10 teaches it.

:func:`stylize` optimises the pixels of an image so that its VGG features
match a content photograph's and its Gram matrices match a painting's, with
the losses of :mod:`stylegan_edu.losses` and the extractor of
:mod:`stylegan_edu.features`. :func:`load_image` turns anything a reader
has at hand (a ``skimage.data`` name, a shipped painting, a file, an array)
into the float RGB image the optimisation wants.

The normalisation, and how it relates to the article's weights
-----------------------------------------------------------------

The source article weights its mixed loss with
:math:`(\lambda, \mu, \gamma) = (1, 100, 10^{-6})` on *raw sums*: the content
loss :math:`\tfrac12\sum (F - P)^2` grows with the number of feature values
:math:`N_l = H_l W_l C_l`, an un-normalised Gram matrix grows with
:math:`H_l W_l`, the TV sum grows with the number of pixels, and all of them
grow with the scale of the network's activations. So the three numbers mean
something for one image size and one set of weights only; change the size
or use a random-weights VGG and the balance is gone.

:func:`stylize` makes every term a dimensionless *relative* error, so that
its weights are plain ratios that carry over between sizes and networks:

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

import dataclasses
import os
import time
from pathlib import Path

import numpy as np

from stylegan_edu._validation import check_choice, check_float_range, check_positive_int, invalid
from stylegan_edu.losses import MixedLossWeights, mixed_loss

__all__ = [
    "SKIMAGE_IMAGES",
    "MIN_SIZE",
    "DEFAULT_CONTENT_LAYERS",
    "DEFAULT_STYLE_LAYERS",
    "DEFAULT_WEIGHTS",
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
#: The smallest height and width accepted: VGG halves the image five times.
MIN_SIZE = 32
#: Gatys et al.'s content layer (conv4_2): it keeps the layout, not the exact pixels.
DEFAULT_CONTENT_LAYERS = ("block4_conv2",)
#: The first convolution of each block: textures from fine (block 1) to coarse (block 5).
DEFAULT_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
#: Defaults for the relative (normalised) losses of :func:`stylize`; see the module docstring.
DEFAULT_WEIGHTS = MixedLossWeights(
    content=1.0,  # lambda: relative content error, 0 at the start (the image starts as the content)
    style=10.0,  # mu: relative Gram error; 10x the content weight lets the painting's texture win
    tv=0.5,  # gamma: per pixel-value L1 TV; a photograph has ~0.03, so this removes speckle only
)

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
    elif a.dtype.kind == "u":
        a = a.astype(np.float32) / np.float32(np.iinfo(a.dtype).max)
    elif a.dtype.kind == "f":
        a = a.astype(np.float32)
        if a.size and np.all(np.isfinite(a)) and (a.min() < 0.0 or a.max() > 1.0):
            raise invalid(name, "float values in [0, 1] (divide 0..255 values by 255, or pass a uint8 array)",
                          f"min={a.min():g}, max={a.max():g}")
    else:
        raise invalid(name, "a uint8, uint16, bool or float array", f"dtype={a.dtype}")
    if a.dtype.kind == "f" and not np.all(np.isfinite(a)):
        bad = int(a.size - np.count_nonzero(np.isfinite(a)))
        raise invalid(name, "finite values", f"{bad} non-finite value(s) out of {a.size}")
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

    size = check_positive_int("size", size, MIN_SIZE)
    h, w = image.shape[:2]
    scale = size / max(h, w)
    shape = (max(1, round(h * scale)), max(1, round(w * scale)))  # (H', W')
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
# The optimisation
# ---------------------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class Stylized:
    """What :func:`stylize` returns. Unpacks as ``image, history = stylize(...)``.

    Attributes:
        image: float32 (H, W, 3) in [0, 1], the stylised image.
        history: dict of float lists, one value per step: ``"total"`` and the
            *weighted* parts ``"content"``, ``"style"``, ``"tv"`` (they sum
            to the total), measured before each step's update.
        weights_source: which VGG weights made it (``"imagenet"`` or
            ``"random (seed 0)"``); label figures with it.
        seconds_per_step: mean wall time of one optimisation step (the first,
            which traces and compiles, excluded when there are two or more).
    """

    image: np.ndarray
    history: dict
    weights_source: str
    seconds_per_step: float

    def __iter__(self):
        return iter((self.image, self.history))


_EXTRACTORS = {}


def _extractor(network, layers, vgg_weights, seed):
    """Build (once per process) the VGG extractor for these layers."""
    from stylegan_edu.features import vgg_extractor

    key = (network, tuple(layers), vgg_weights, int(seed))
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = vgg_extractor(list(layers), network=network, weights=vgg_weights, seed=seed)
    return _EXTRACTORS[key]


def _check_layers(name, layers):
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers)
    if not layers or not all(isinstance(l, str) for l in layers):
        raise invalid(name, "a non-empty list of VGG layer names", f"{name}={layers!r}")
    return layers


def _targets(extractor, content, style, content_layers, style_layers):
    """Content targets P, Gram targets A, and the per-layer scales that make the losses relative.

    Returns ``(P, A, c, r)``: content features are multiplied by ``c[l] = 1 / rms(P^l)``, so that
    ``mean((cF - cP)^2)`` is the relative error; style features by ``r[l] = mean((A^l)^2)^(-1/4)``,
    which scales Gram matrices by ``r^2`` and squared Gram errors by ``r^4 = 1 / mean((A^l)^2)``.
    """
    import tensorflow as tf

    from stylegan_edu.losses import gram_matrix

    fc = extractor(tf.constant(content[None]))  # {layer: (1, h, w, c)}
    fs = extractor(tf.constant(style[None]))
    P = {l: fc[l].numpy() for l in content_layers}  # {layer: (1, h, w, c)}
    A = {l: gram_matrix(fs[l]).numpy() for l in style_layers}  # {layer: (1, c, c)}
    for kind, d in (("content", P), ("style", A)):
        for l, t in d.items():
            if not np.all(np.isfinite(t)):
                raise FloatingPointError(f"The {kind} target at layer {l!r} holds non-finite values: "
                                         "the extractor overflowed. Check the extractor and the input images.")
    eps = 1e-12
    c = {l: np.float32(1.0 / np.sqrt(np.mean(np.square(P[l], dtype=np.float64)) + eps)) for l in content_layers}
    r = {l: np.float32((np.mean(np.square(A[l], dtype=np.float64)) + eps) ** -0.25) for l in style_layers}
    return P, A, c, r


class _Optimisation:
    """The state of one optimisation and its ``tf.function`` step (Adam update, then clip to [0, 1]).

    Targets, scales, weights and the image live in ``tf.Variable``s, so one traced (and compiled)
    step serves every run with the same extractor, layers, image shape and learning rate: a grid
    of weights, or a panel's re-runs, trace once.
    """

    def __init__(self, extractor, P, A, shape, learning_rate, jit_compile):
        import keras
        import tensorflow as tf

        h, w, _ = shape
        self.extractor = extractor  # held, so that the cache key id(extractor) stays valid
        self.image = tf.Variable(tf.zeros((1, h, w, 3)), name="stylized")  # (1, H, W, 3)
        self.P = {l: tf.Variable(tf.zeros_like(v), name=f"P_{l}") for l, v in P.items()}  # (1, h, w, c)
        self.A = {l: tf.Variable(tf.zeros_like(v), name=f"A_{l}") for l, v in A.items()}  # (1, c, c)
        self.c = {l: tf.Variable(1.0, name=f"c_{l}") for l in P}
        self.r = {l: tf.Variable(1.0, name=f"r_{l}") for l in A}
        self.w = tf.Variable(tf.zeros(3), name="weights")  # (lambda, mu, gamma / HWC)
        self.optimizer = keras.optimizers.Adam(learning_rate=learning_rate)
        self.optimizer.build([self.image])
        self.step = tf.function(self._step, jit_compile=jit_compile)

    def reset(self, start, P, A, c, r, weights):
        h, w, ch = start.shape
        self.image.assign(start[None])
        for l in self.P:
            self.P[l].assign(P[l] * c[l])  # scaled content target, (1, h, w, c)
            self.c[l].assign(c[l])
        for l in self.A:
            self.A[l].assign(A[l] * r[l] ** 2)  # scaled Gram target, (1, c, c)
            self.r[l].assign(r[l])
        # TV per pixel value: divide the weight, so the reported part is the weighted, normalised TV.
        self.w.assign(np.array([weights.content, weights.style, weights.tv / (h * w * ch)], np.float32))
        for v in self.optimizer.variables:  # a fresh Adam: step count and moments back to 0
            if v.name != "learning_rate":
                v.assign(np.zeros(v.shape, v.dtype.name if hasattr(v.dtype, "name") else v.dtype))

    def _step(self):
        import tensorflow as tf

        x = self.image
        with tf.GradientTape() as tape:
            feats = self.extractor(x)  # {layer: (1, h, w, c)}
            # Unit weights: mixed_loss returns the three normalised parts; self.w weights them.
            _, parts = mixed_loss(
                content_features={l: feats[l] * self.c[l] for l in self.P}, content_targets=dict(self.P),
                style_features={l: feats[l] * self.r[l] for l in self.A}, style_targets=dict(self.A),
                images=x, weights=MixedLossWeights(content=1.0, style=1.0, tv=1.0),
                content_reduction="mean", tv_kind="l1",
            )
            weighted = self.w * tf.stack([parts["content"], parts["style"], parts["tv"]])  # (3,)
            total = tf.reduce_sum(weighted)
        grad = tape.gradient(total, x)  # (1, H, W, 3)
        self.optimizer.apply_gradients([(grad, x)])
        x.assign(tf.clip_by_value(x, 0.0, 1.0))
        return tf.concat([total[None], weighted], axis=0)  # (4,): total, content, style, tv


_OPTIMISATIONS = {}
_MAX_CACHED = 6


def _optimisation(extractor, P, A, shape, learning_rate, jit_compile):
    key = (id(extractor), tuple(P), tuple(A), tuple(shape), float(learning_rate), bool(jit_compile))
    if key not in _OPTIMISATIONS:
        while len(_OPTIMISATIONS) >= _MAX_CACHED:
            _OPTIMISATIONS.pop(next(iter(_OPTIMISATIONS)))
        _OPTIMISATIONS[key] = _Optimisation(extractor, P, A, shape, learning_rate, jit_compile)
    return _OPTIMISATIONS[key]


def _auto_jit():
    import tensorflow as tf

    return bool(tf.config.list_physical_devices("GPU"))


def stylize(content, style, steps=300, weights=DEFAULT_WEIGHTS, size=384, content_layers=DEFAULT_CONTENT_LAYERS,
            style_layers=DEFAULT_STYLE_LAYERS, callback=None, seed=0, learning_rate=0.02, init="content",
            network="vgg16", vgg_weights="imagenet", extractor=None, jit_compile=None, callback_every=10,
            progress=True, style_size=None):
    r"""Stylise a photograph with a painting by optimising its pixels (Gatys et al.).

    Formula:
        Starting from the content image (or noise), Adam minimises the
        normalised mixed loss of the module docstring,

        .. math:: L(x) = \lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma TV/(HWC),

        over the pixels :math:`x \in [0, 1]^{H \times W \times 3}` (clipped
        after each step). One step (forward through VGG, gradient, Adam
        update, clip) runs as a single ``tf.function``, XLA-compiled when
        ``jit_compile`` is on.

    Args:
        content: the photograph: a ``skimage.data`` name, a style name, a
            path or an array (see :func:`load_image`).
        style: the painting, in the same forms (e.g. ``"starry_night_van_gogh"``).
        steps: the number of optimisation steps.
        weights: a :class:`~stylegan_edu.losses.MixedLossWeights` for the
            normalised losses (not the article's raw sums; see the module docstring).
        size: the long side of the content (and result) in pixels, >= 32.
        content_layers: VGG layers whose features must match the content.
        style_layers: VGG layers whose Gram matrices must match the style.
        callback: optional ``callback(step, image, losses)``, called every
            ``callback_every`` steps and after the last, with the current
            image (numpy (H, W, 3)) and a dict of the current loss parts.
            If it returns ``False`` the optimisation stops there.
        seed: seeds the noise start (``init="noise"``) and the random VGG weights.
        learning_rate: Adam's step size, in pixel units ([0, 1] scale).
        init: ``"content"`` (start from the photograph) or ``"noise"``.
        network: ``"vgg16"`` (the article's) or ``"vgg19"`` (Gatys' and the TF tutorial's).
        vgg_weights: ``"imagenet"`` (falls back to seeded random weights
            offline, with a message), ``None`` (random on purpose) or a path.
        extractor: optional ready extractor, ``extractor(images) -> {layer: features}``
            (e.g. from :func:`stylegan_edu.features.vgg16_extractor`);
            overrides ``network``, ``vgg_weights`` and ``seed`` for the network.
        jit_compile: compile the step with XLA; ``None`` means on when a GPU is visible.
        callback_every: steps between callback calls and non-finite checks.
        progress: show a tqdm progress bar.
        style_size: the long side of the style image; defaults to ``size``.

    Returns:
        Stylized: ``image`` float32 (H, W, 3) in [0, 1] with the resized
        content's shape, ``history`` of each weighted loss part per step,
        ``weights_source`` and ``seconds_per_step``. Unpacks as
        ``image, history``.

    Raises:
        ValueError: for bad images (see :func:`load_image`) or arguments.
        FloatingPointError: when the loss becomes NaN or infinite; the
            message gives the step and the parts, and what to change.

    Example:

    >>> import contextlib, io
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the random-weights notice
    ...     image, history = stylize("chelsea", "the_scream_munch", steps=3, size=48,
    ...                              vgg_weights=None, progress=False)
    >>> image.shape, image.dtype, len(history["total"])
    ((32, 48, 3), dtype('float32'), 3)
    >>> bool(0.0 <= image.min() and image.max() <= 1.0)
    True
    """
    steps = check_positive_int("steps", steps)
    if not isinstance(weights, MixedLossWeights):
        raise invalid("weights", "a stylegan_edu.losses.MixedLossWeights", f"weights of type {type(weights).__name__}")
    size = check_positive_int("size", size, MIN_SIZE)
    style_size = size if style_size is None else check_positive_int("style_size", style_size, MIN_SIZE)
    learning_rate = check_float_range("learning_rate", learning_rate, 0.0, low_inclusive=False)
    check_choice("init", init, ("content", "noise"))
    callback_every = check_positive_int("callback_every", callback_every)
    if callback is not None and not callable(callback):
        raise invalid("callback", "a callable callback(step, image, losses) or None", f"callback of type {type(callback).__name__}")
    if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
        raise invalid("seed", "an integer", f"seed={seed!r}")
    content_layers = _check_layers("content_layers", content_layers)
    style_layers = _check_layers("style_layers", style_layers)

    x_c = load_image(content, size, name="content")  # (H, W, 3)
    x_s = load_image(style, style_size, name="style")  # (H_s, W_s, 3)
    if extractor is None:
        layers = tuple(dict.fromkeys(content_layers + style_layers))
        extractor = _extractor(network, layers, vgg_weights, seed)
    weights_source = str(getattr(extractor, "weights_source", "custom extractor"))

    P, A, c, r = _targets(extractor, x_c, x_s, content_layers, style_layers)
    if init == "content":
        start = x_c
    else:
        start = np.random.default_rng(seed).uniform(0.0, 1.0, x_c.shape).astype(np.float32)  # (H, W, 3)
    jit = _auto_jit() if jit_compile is None else bool(jit_compile)
    opt = _optimisation(extractor, P, A, x_c.shape, learning_rate, jit)
    opt.reset(start, P, A, c, r, weights)
    image, step_fn = opt.image, opt.step  # (1, H, W, 3) variable; the traced step

    from tqdm.auto import tqdm

    names = ("total", "content", "style", "tv")
    pending = []  # loss tensors not yet read back: reading every step would sync the device
    history = {k: [] for k in names}
    times = []
    bar = tqdm(total=steps, desc="stylize", disable=not progress, leave=True)

    def flush(step):
        values = np.stack([np.asarray(v) for v in pending]) if pending else np.zeros((0, 4))  # (n, 4)
        pending.clear()
        for row_i, row in enumerate(values):
            if not np.all(np.isfinite(row)):
                first = step - len(values) + row_i + 1
                parts = ", ".join(f"{k}={v:.4g}" for k, v in zip(names, row))
                raise FloatingPointError(
                    f"stylize stopped: the loss became non-finite at step {first} ({parts}). "
                    "Lower `learning_rate` or the `weights`, or check the input images; "
                    "no image is returned because it would be garbage."
                )
            for k, v in zip(names, row):
                history[k].append(float(v))
        if len(history["total"]):
            bar.set_postfix(loss=f"{history['total'][-1]:.4g}", refresh=False)

    stopped = False
    try:
        for step in range(1, steps + 1):
            t0 = time.perf_counter()
            pending.append(step_fn())
            if step <= 2 or step == steps:
                pending[-1].numpy()  # sync, so the first (compiling) step is timed on its own
            times.append(time.perf_counter() - t0)
            bar.update(1)
            if step % callback_every == 0 or step == steps:
                flush(step)
                if callback is not None:
                    last = {k: history[k][-1] for k in names}
                    if callback(step, image.numpy()[0], last) is False:
                        stopped = True
                        break
        if not stopped:
            flush(steps)
    finally:
        bar.close()
    times = times[1:] if len(times) > 1 else times
    return Stylized(
        image=np.clip(image.numpy()[0], 0.0, 1.0).astype(np.float32),  # (H, W, 3)
        history=history,
        weights_source=weights_source,
        seconds_per_step=float(np.mean(times)),
    )


def article_weights_in_our_units(content, style, extractor, weights=MixedLossWeights(),
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
        weights: the article's weights, ``MixedLossWeights()`` = (1, 100, 1e-6).
        content_layers: see :func:`stylize`.
        style_layers: see :func:`stylize`.

    Returns:
        dict: ``{"content": float, "style": {layer: float}, "tv": float}``.

    Example:

    >>> import contextlib, io, numpy as np
    >>> from stylegan_edu.features import vgg16_extractor
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     vgg = vgg16_extractor(["block1_conv1", "block4_conv2"], weights=None)
    >>> x = load_image("coffee", 64)
    >>> w = article_weights_in_our_units(x, x, vgg, content_layers=["block4_conv2"], style_layers=["block1_conv1"])
    >>> round(w["tv"], 4)  # 1e-6 * 43 * 64 * 3
    0.0083
    """
    content_layers = _check_layers("content_layers", content_layers)
    style_layers = _check_layers("style_layers", style_layers)
    P, A, _, _ = _targets(extractor, np.asarray(content, np.float32), np.asarray(style, np.float32),
                          content_layers, style_layers)
    import tensorflow as tf

    fs = extractor(tf.constant(np.asarray(style, np.float32)[None]))
    lam = np.mean([0.5 * np.size(P[l]) * np.mean(np.square(P[l])) for l in content_layers])
    mu = {}
    for l in style_layers:
        _, h, w, c = fs[l].shape
        mu[l] = float(weights.style * len(style_layers) * (h * w) ** 2 * c ** 2 * np.mean(np.square(A[l])))
    h, w, c = np.shape(content)
    return {"content": float(weights.content * lam), "style": mu, "tv": float(weights.tv * h * w * c)}
