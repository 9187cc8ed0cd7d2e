r"""Losses, one concept each: adversarial (binary cross-entropy), content,
Gram-matrix style, total variation, and the weighted mixed loss.

Chapter 1 uses the cross-entropy family; chapters 4 to 7 use the rest.
Everything is written with ``keras.ops``, so it also runs on Keras' JAX and
PyTorch backends. Each loss is a function; the content, style and total
variation losses are also serialisable ``keras.losses.Loss`` classes, thin
wrappers over the same per-image functions, as Keras writes its own
(``LossFunctionWrapper``). For ``model.compile`` with binary
cross-entropy, use ``keras.losses.BinaryCrossentropy``: the chapters check
:func:`binary_cross_entropy` against it.
"""

import dataclasses

import keras
import numpy as np
from keras import ops

from stylegan_edu._validation import (check_bool, check_choice, check_finite, check_finite_if_concrete, check_float_range,
                                      check_layers, check_same_shape, check_tensor, concrete, invalid)

__all__ = [
    "binary_cross_entropy",
    "discriminator_loss",
    "generator_loss",
    "content_loss",
    "gram_matrix",
    "style_loss",
    "total_variation_loss",
    "total_variation_map",
    "MixedLossWeights",
    "ARTICLE_WEIGHTS",
    "mixed_loss",
    "ContentLoss",
    "StyleLoss",
    "TotalVariationLoss",
]


# ---------------------------------------------------------------------------
# Input checks. They look at concrete values only when there are concrete
# values (eager mode); inside a traced function they check shapes only.
# ---------------------------------------------------------------------------


def _as_float(x, name=None):
    """``x`` as a float tensor; with a ``name``, first rejects complex, string, empty or non-finite input (eager only)."""
    if name is not None:
        check_tensor(name, x)  # a mean over nothing is NaN; a float cast drops an imaginary part
    x = ops.convert_to_tensor(x)
    # standardize_dtype: str() of a TensorFlow dtype is "<dtype: 'float64'>", not "float64".
    if not keras.backend.standardize_dtype(x.dtype).startswith(("float", "bfloat")):
        x = ops.cast(x, "float32")
    return x


# ---------------------------------------------------------------------------
# Binary cross-entropy and the adversarial losses
# ---------------------------------------------------------------------------


def binary_cross_entropy(y_true, y_pred, from_logits=False):
    r"""Binary cross-entropy, averaged over all elements.

    Formula:
        With probabilities :math:`\hat y` (``from_logits=False``)

        .. math:: \mathrm{BCE}(y, \hat y) = -[y \log \hat y + (1 - y) \log(1 - \hat y)]

        With logits :math:`x`, :math:`\hat y = \sigma(x)`, in the numerically
        stable form

        .. math:: \mathrm{BCE}(y, x) = \max(x, 0) - x y + \log(1 + e^{-|x|})

        which never evaluates :math:`\log 0` nor :math:`e^{x}` for large
        :math:`x`. It is computed as :math:`\mathrm{softplus}(x) - x y`, the
        same function, whose gradient :math:`\sigma(x) - y` autodiff gets
        right even at :math:`x = 0`. Probabilities are clipped to ``[eps, 1 - eps]`` with
        ``eps = 1e-7``, as Keras does.

    Args:
        y_true: targets in [0, 1] (1 = real, 0 = fake), any shape.
        y_pred: probabilities in [0, 1], or logits when ``from_logits=True``;
            same shape as ``y_true``.
        from_logits: whether ``y_pred`` holds logits.

    Returns:
        A scalar tensor: the mean over all elements.

    Raises:
        ValueError: for mismatched shapes, targets outside [0, 1],
            probabilities outside [0, 1] when ``from_logits=False``, or
            non-finite inputs.

    Example:

    >>> round(float(binary_cross_entropy([1.0, 0.0], [0.9, 0.2])), 4)
    0.1643
    >>> round(float(binary_cross_entropy([1.0], [1e4], from_logits=True)), 4)
    0.0
    """
    from_logits = check_bool("from_logits", from_logits)
    y_true, y_pred = _as_float(y_true, "y_true"), _as_float(y_pred, "y_pred")
    check_same_shape("y_true", y_true, "y_pred", y_pred)
    t, p = concrete(y_true), concrete(y_pred)
    if t is not None and t.size and (t.min() < 0 or t.max() > 1):
        raise invalid("y_true", "targets in [0, 1]", f"min={t.min():g}, max={t.max():g}")
    if not from_logits and p is not None and p.size and (p.min() < 0 or p.max() > 1):
        bad = p.min() if p.min() < 0 else p.max()
        raise invalid(
            "y_pred", "probabilities in [0, 1] when from_logits=False",
            f"{'min' if p.min() < 0 else 'max'}={bad:g}",
        )
    if from_logits:
        x = y_pred
        # softplus(x) = max(x, 0) + log(1 + exp(-|x|)), evaluated stably by the backend, and
        # its autodiff gradient is the exact sigmoid(x) - y everywhere; differentiating the
        # max/abs form gives a wrong subgradient at exactly x = 0.
        per_element = ops.softplus(x) - x * y_true
    else:
        eps = 1e-7
        p = ops.clip(y_pred, eps, 1.0 - eps)
        per_element = -(y_true * ops.log(p) + (1.0 - y_true) * ops.log(1.0 - p))
    return ops.mean(per_element)


def discriminator_loss(real_logits, fake_logits, label_smoothing=0.0):
    r"""The discriminator's loss: BCE on real images (target 1) plus fakes (target 0).

    Formula:
        .. math:: L_D = \mathrm{BCE}(1 - s, D(x)) + \mathrm{BCE}(0, D(G(z)))

        where :math:`s` is one-sided label smoothing (real targets become
        :math:`1 - s`; fake targets stay 0, as Salimans et al. advise).

    Args:
        real_logits: the discriminator's logits on real images, shape (B, ...).
        fake_logits: its logits on generated images, shape (B', ...).
        label_smoothing: ``s`` in [0, 0.5).

    Returns:
        A scalar tensor.

    Example:

    >>> round(float(discriminator_loss([10.0], [-10.0])), 4)
    0.0001
    """
    label_smoothing = check_float_range("label_smoothing", label_smoothing, 0.0, 0.5, high_inclusive=False)
    real_logits, fake_logits = _as_float(real_logits, "real_logits"), _as_float(fake_logits, "fake_logits")
    real = binary_cross_entropy(ops.full_like(real_logits, 1.0 - label_smoothing), real_logits, from_logits=True)
    fake = binary_cross_entropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)
    return real + fake


def generator_loss(fake_logits, saturating=False):
    r"""The generator's adversarial loss.

    Formula:
        Non-saturating (the default, what everyone trains with):

        .. math:: L_G = -\log D(G(z)) = \mathrm{BCE}(1, D(G(z)))

        Saturating (the original minimax form):

        .. math:: L_G = \log(1 - D(G(z))) = -\mathrm{BCE}(0, D(G(z)))

        Both have the same fixed point, but when the discriminator wins
        (:math:`D(G(z)) \to 0`) the saturating form's gradient vanishes.

    Args:
        fake_logits: the discriminator's logits on generated images.
        saturating: use the minimax form instead of the non-saturating one.

    Returns:
        A scalar tensor.

    Example:

    >>> round(float(generator_loss([0.0])), 4)  # log 2
    0.6931
    >>> round(float(generator_loss([0.0], saturating=True)), 4)
    -0.6931
    """
    saturating = check_bool("saturating", saturating)
    fake_logits = _as_float(fake_logits, "fake_logits")
    if saturating:
        return -binary_cross_entropy(ops.zeros_like(fake_logits), fake_logits, from_logits=True)
    return binary_cross_entropy(ops.ones_like(fake_logits), fake_logits, from_logits=True)


# ---------------------------------------------------------------------------
# Perceptual losses: content, style (Gram matrices), total variation, mixed
# ---------------------------------------------------------------------------


def _check_rank(name, x, rank, what):
    if len(x.shape) != rank:
        raise invalid(name, f"a rank-{rank} tensor {what}", f"shape {tuple(x.shape)}")


def content_loss(features, target_features, reduction="sum"):
    r"""Content loss between feature maps F (of the image) and P (of the target).

    Formula:
        ``reduction="sum"`` (the article's and Gatys et al.'s form):

        .. math:: L_\mathrm{content} = \tfrac12 \sum_{ijk} (F_{ijk} - P_{ijk})^2

        ``reduction="mean"`` divides by the number of elements instead of 2,
        which makes the value independent of image size and layer width:

        .. math:: L_\mathrm{content} = \tfrac1N \sum_{ijk} (F_{ijk} - P_{ijk})^2

        Both are averaged over the batch.

    Args:
        features: F, shape (B, H, W, C) (or any shape, matching the target).
        target_features: P, the same shape.
        reduction: ``"sum"`` or ``"mean"``.

    Returns:
        A scalar tensor.

    Example:

    >>> import numpy as np
    >>> F = np.ones((1, 2, 2, 1), "float32"); P = np.zeros((1, 2, 2, 1), "float32")
    >>> float(content_loss(F, P)), float(content_loss(F, P, reduction="mean"))
    (2.0, 1.0)
    """
    return ops.mean(_content_per_image(features, target_features, reduction))


def _content_per_image(F, P, reduction, names=("features", "target_features")):
    """Validate; the content loss of each image, shape (B,) (elementwise for rank-1 input).

    The loss is symmetric in F and P; a shape mismatch is reported on the second name.
    """
    check_choice("reduction", reduction, ("sum", "mean"))
    f_name, p_name = names
    F, P = _as_float(F, f_name), _as_float(P, p_name)
    check_same_shape(f_name, F, p_name, P)
    check_finite_if_concrete(f_name, F)
    check_finite_if_concrete(p_name, P)
    sq = ops.square(F - P)  # (B, H, W, C)
    axes = tuple(range(1, len(sq.shape))) or None
    if reduction == "sum":
        return 0.5 * ops.sum(sq, axis=axes) if axes else 0.5 * sq  # (B,)
    return ops.mean(sq, axis=axes) if axes else sq  # (B,)


def gram_matrix(features):
    r"""Gram matrix of feature maps: channel-by-channel correlations.

    Formula:
        .. math:: G_{cd} = \frac{1}{HW} \sum_{i,j} F_{ijc} F_{ijd}

    Args:
        features: F, shape (B, H, W, C).

    Returns:
        A tensor of shape (B, C, C).

    Example:

    >>> import numpy as np
    >>> F = np.arange(8, dtype="float32").reshape(1, 2, 2, 2)
    >>> gram_matrix(F).numpy().tolist()
    [[[14.0, 17.0], [17.0, 21.0]]]
    """
    F = _as_float(features, "features")
    _check_rank("features", F, 4, "(B, H, W, C)")
    check_finite_if_concrete("features", F)
    shape = ops.shape(F)
    b, h, w, c = shape[0], shape[1], shape[2], shape[3]
    flat = ops.reshape(F, (b, h * w, c))  # (B, HW, C)
    gram = ops.einsum("bnc,bnd->bcd", flat, flat)  # (B, C, C)
    return gram / ops.cast(h * w, gram.dtype)


def style_loss(features, target_grams, layer_weights=None):
    r"""Style loss: weighted squared distance between Gram matrices, summed over layers.

    Formula:
        .. math:: L_\mathrm{style} = \sum_l w_l \, \frac{1}{C_l^2} \sum_{c,d} (G^l_{cd} - A^l_{cd})^2

        where :math:`G^l` is the Gram matrix of the image's features at layer
        :math:`l`, :math:`A^l` the target's, and the default weights are
        :math:`w_l = 1/L`. Averaged over the batch.

    Args:
        features: a dict ``{layer: (B, H, W, C) feature map}``, or one map.
        target_grams: a dict ``{layer: (B or 1, C, C) Gram matrix}`` with the
            same keys, or one Gram matrix. A batch of 1 is broadcast.
        layer_weights: optional dict ``{layer: weight >= 0}``.

    Returns:
        A scalar tensor.

    Example:

    >>> import numpy as np
    >>> F = np.random.default_rng(0).normal(size=(1, 4, 4, 3)).astype("float32")
    >>> float(style_loss(F, gram_matrix(F)))
    0.0
    """
    features, target_grams, weights = check_layers(features, target_grams, layer_weights, "target_grams")
    total = 0.0
    for name, w in weights.items():
        if w == 0.0:
            continue
        G = gram_matrix(features[name])  # (B, C, C)
        A = _as_float(target_grams[name], f"target_grams[{name!r}]")  # (B or 1, C, C)
        _check_rank(f"target_grams[{name!r}]", A, 3, "(B, C, C)")
        if A.shape[-1] != G.shape[-1] or A.shape[-2] != G.shape[-2]:
            raise invalid(f"target_grams[{name!r}]", f"a Gram matrix of shape (B, {G.shape[-1]}, {G.shape[-1]})", f"shape {tuple(A.shape)}")
        check_finite_if_concrete(f"target_grams[{name!r}]", A)
        total = total + w * ops.mean(_gram_distance(G, A))
    return ops.convert_to_tensor(total, "float32") if isinstance(total, float) else total


def _gram_distance(G, A):
    """Per-image normalised squared distance of Gram matrices (B, C, C) and (B or 1, C, C): shape (B,)."""
    c = G.shape[-1]
    return ops.sum(ops.square(G - A), axis=(1, 2)) / float(c * c)  # (B,)


def total_variation_loss(images, kind="l1"):
    r"""Total variation of images, differenced over height and width (never the batch).

    Formula:
        ``kind="l1"`` (anisotropic, the article's formula; equals
        ``tf.image.total_variation``):

        .. math:: TV_1 = \sum_{i,j,c} |I_{i+1,j,c} - I_{i,j,c}| + |I_{i,j+1,c} - I_{i,j,c}|

        ``kind="l2"`` (what the article's code computes, squared):

        .. math:: TV_2 = \sum_{i,j,c} (I_{i+1,j,c} - I_{i,j,c})^2 + (I_{i,j+1,c} - I_{i,j,c})^2

        Summed over each image, then averaged over the batch.

    Args:
        images: shape (B, H, W, C), or one image (H, W, C).
        kind: ``"l1"`` or ``"l2"``.

    Returns:
        A scalar tensor.

    Example:

    >>> import numpy as np
    >>> img = np.array([[0, 1], [0, 1]], "float32").reshape(1, 2, 2, 1)
    >>> float(total_variation_loss(img)), float(total_variation_loss(2 * img, kind="l2"))
    (2.0, 8.0)
    """
    x = _tv_input(images, kind)  # (B, H, W, C)
    return ops.mean(_tv_per_image(x, kind))  # mean over the batch of per-image sums


def _tv_input(images, kind, name="images"):
    """Validate TV's arguments; return the images as a float (B, H, W, C) tensor."""
    check_choice("kind", kind, ("l1", "l2"))
    x = _as_float(images, name)
    if len(x.shape) == 3:
        x = x[None]  # (1, H, W, C)
    _check_rank(name, x, 4, "(B, H, W, C) or (H, W, C)")
    check_finite_if_concrete(name, x)
    return x


def _tv_per_image(x, kind):
    """Per-image total variation of a (B, H, W, C) tensor, shape (B,)."""
    dy = x[:, 1:, :, :] - x[:, :-1, :, :]  # (B, H-1, W, C): along height
    dx = x[:, :, 1:, :] - x[:, :, :-1, :]  # (B, H, W-1, C): along width
    f = ops.abs if kind == "l1" else ops.square
    return ops.sum(f(dy), axis=(1, 2, 3)) + ops.sum(f(dx), axis=(1, 2, 3))  # (B,)


def total_variation_map(images, kind="l1"):
    r"""Where the total variation is: each pixel's share of :func:`total_variation_loss`.

    Formula:
        For ``kind="l1"``, with differences to the next row and column (0 past the edge)

        .. math:: m_{ij} = \sum_c |I_{i+1,j,c} - I_{i,j,c}| + |I_{i,j+1,c} - I_{i,j,c}|

        (squared differences for ``kind="l2"``). Each image's map sums to its TV.

    Args:
        images: shape (B, H, W, C), or one image (H, W, C).
        kind: ``"l1"`` or ``"l2"``.

    Returns:
        A tensor of shape (B, H, W): the TV map of each image.

    Example:

    >>> import numpy as np
    >>> img = np.array([[0, 1], [0, 1]], "float32").reshape(1, 2, 2, 1)
    >>> total_variation_map(img).numpy().tolist()
    [[[1.0, 0.0], [1.0, 0.0]]]
    """
    x = _tv_input(images, kind)  # (B, H, W, C)
    f = ops.abs if kind == "l1" else ops.square
    dy = f(x[:, 1:, :, :] - x[:, :-1, :, :])  # (B, H-1, W, C)
    dx = f(x[:, :, 1:, :] - x[:, :, :-1, :])  # (B, H, W-1, C)
    dy = ops.pad(dy, [(0, 0), (0, 1), (0, 0), (0, 0)])  # (B, H, W, C): last row has no neighbour below
    dx = ops.pad(dx, [(0, 0), (0, 0), (0, 1), (0, 0)])  # (B, H, W, C): last column has none to the right
    return ops.sum(dy + dx, axis=-1)  # (B, H, W)


@dataclasses.dataclass(frozen=True)
class MixedLossWeights:
    """Weights of the mixed loss. The defaults are the source article's."""

    content: float = 1.0  # lambda: keep the content image's layout
    style: float = 100.0  # mu: match the style image's Gram matrices
    tv: float = 1e-6  # gamma: smoothness; TV sums over pixels, so it is huge

    def __post_init__(self):
        for field in dataclasses.fields(self):
            value = getattr(self, field.name)
            check_float_range(field.name, value, 0.0)


#: The article's raw weights (1, 100, 1e-6), for its raw sums (``MixedLossWeights()``). For the normalised
#: losses of style transfer use :data:`stylegan_edu.pixel_optimisation.NORMALISED_WEIGHTS`.
ARTICLE_WEIGHTS = MixedLossWeights()


def mixed_loss(content_features=None, content_targets=None, style_features=None, style_targets=None,
               images=None, weights=MixedLossWeights(), content_reduction="sum", tv_kind="l1",
               style_layer_weights=None):
    r"""The weighted mixed loss of style transfer: content + style + total variation.

    Formula:
        .. math:: L = \lambda L_\mathrm{content} + \mu L_\mathrm{style} + \gamma TV

        with :math:`(\lambda, \mu, \gamma)` = ``weights`` (default 1, 100,
        1e-6, the article's). A part whose inputs are ``None`` or whose weight
        is 0 is left out (and reported as 0). With several content layers,
        :math:`L_\mathrm{content}` is the mean of their content losses.

        The parts live on very different scales: TV *sums* over every pixel
        (about :math:`10^3`-:math:`10^4` for a 256 px photo), the summed content loss
        grows with the layer's size, and the normalised style loss of the Gram
        matrices is small. That is why the article's weights span eight orders
        of magnitude; chapter 7 measures them.

    Args:
        content_features: dict ``{layer: F}`` of the image's features, or one map.
        content_targets: the matching target features P.
        style_features: dict ``{layer: F}`` for the style layers.
        style_targets: dict ``{layer: Gram matrix}`` of the style image.
        images: the images, for the TV part, (B, H, W, C).
        weights: a :class:`MixedLossWeights`.
        content_reduction: ``"sum"`` or ``"mean"``, see :func:`content_loss`.
        tv_kind: ``"l1"`` or ``"l2"``, see :func:`total_variation_loss`.
        style_layer_weights: see :func:`style_loss`.

    Returns:
        tuple: ``(total, parts)``, where ``parts`` is a dict with the
        *weighted* ``"content"``, ``"style"`` and ``"tv"`` terms, which sum
        to ``total``.

    Example:

    >>> import numpy as np
    >>> x = np.zeros((1, 4, 4, 3), "float32")
    >>> total, parts = mixed_loss(images=x + np.eye(4, dtype="float32")[None, :, :, None])
    >>> round(float(total), 8), sorted(parts)
    (3.6e-05, ['content', 'style', 'tv'])
    """
    if not isinstance(weights, MixedLossWeights):
        raise invalid("weights", "a MixedLossWeights instance", f"{type(weights).__name__}")
    check_choice("content_reduction", content_reduction, ("sum", "mean"))
    check_choice("tv_kind", tv_kind, ("l1", "l2"))
    zero = ops.convert_to_tensor(0.0, "float32")
    parts = {"content": zero, "style": zero, "tv": zero}
    if weights.content and content_features is not None:
        if not isinstance(content_features, dict):
            content_features, content_targets = {"features": content_features}, {"features": content_targets}
        if content_targets is None or set(content_features) != set(content_targets):
            raise invalid("content_targets", f"targets for the layers {sorted(content_features)}", f"{content_targets!r:.80}")
        c = sum(content_loss(content_features[k], content_targets[k], content_reduction) for k in content_features)
        parts["content"] = weights.content * c / len(content_features)
    if weights.style and style_features is not None:
        check_layers(style_features, style_targets, style_layer_weights, "style_targets", "style_layer_weights")  # this call's names
        parts["style"] = weights.style * style_loss(style_features, style_targets, style_layer_weights)
    if weights.tv and images is not None:
        parts["tv"] = weights.tv * total_variation_loss(images, tv_kind)
    total = parts["content"] + parts["style"] + parts["tv"]
    return total, parts


# ---------------------------------------------------------------------------
# keras.losses.Loss classes (serialisable, for model.compile and saving): thin
# wrappers over the per-image functions above, as keras.losses.MeanSquaredError
# wraps keras.losses.mean_squared_error. Keras reduces their per-image values
# (by default the mean over the batch, which is what the functions return).
# ---------------------------------------------------------------------------


def _content_loss_per_image(y_true, y_pred, content_reduction="sum"):
    return _content_per_image(y_true, y_pred, content_reduction, names=("y_true", "y_pred"))  # (B,): symmetric


def _style_loss_per_image(y_true, y_pred):
    y_true, y_pred = _as_float(y_true, "y_true"), _as_float(y_pred, "y_pred")  # (B, H, W, C) feature maps
    _check_rank("y_pred", y_pred, 4, "(B, H, W, C)")
    _check_rank("y_true", y_true, 4, "(B, H, W, C)")
    if y_true.shape[0] != y_pred.shape[0] or y_true.shape[-1] != y_pred.shape[-1]:
        raise invalid("y_pred", f"feature maps with the batch size and channels of `y_true`, {tuple(y_true.shape)}",
                      f"shape {tuple(y_pred.shape)}")
    return _gram_distance(gram_matrix(y_pred), gram_matrix(y_true))  # (B,)


def _total_variation_per_image(y_true, y_pred, kind="l1"):
    x = ops.convert_to_tensor(y_pred)
    _check_rank("y_pred", x, 4, "(B, H, W, C)")
    return _tv_per_image(_tv_input(x, kind, name="y_pred"), kind)  # (B,)


class _Wrapper(keras.losses.Loss):
    """A loss class that calls ``fn(y_true, y_pred, **kwargs)`` per image, and saves ``kwargs`` as its config.

    What Keras' own (private) ``LossFunctionWrapper`` does for
    ``keras.losses.MeanSquaredError`` and the others.
    """

    def __init__(self, fn, reduction="sum_over_batch_size", name=None, dtype=None, **kwargs):
        super().__init__(name=name, reduction=reduction, dtype=dtype)
        self.fn, self._fn_kwargs = fn, kwargs

    def __call__(self, y_true, y_pred, sample_weight=None):
        # Before Keras converts both to the loss's float dtype, which would drop an imaginary part or fail unnamed.
        check_tensor("y_true", y_true)
        check_tensor("y_pred", y_pred)
        return super().__call__(y_true, y_pred, sample_weight=sample_weight)

    def call(self, y_true, y_pred):
        return self.fn(y_true, y_pred, **self._fn_kwargs)  # (B,)

    def get_config(self):
        return {**super().get_config(), **self._fn_kwargs}


@keras.saving.register_keras_serializable(package="stylegan_edu")
class ContentLoss(_Wrapper):
    """:func:`content_loss` per image (``y_true`` = P, ``y_pred`` = F), as a ``keras.losses.Loss``.

    Args:
        content_reduction: ``"sum"`` or ``"mean"`` over each image, see
            :func:`content_loss` (``reduction`` is Keras' reduction over the batch).

    Example:

    >>> import numpy as np
    >>> float(ContentLoss(content_reduction="mean")(np.zeros((2, 3)), np.ones((2, 3))))
    1.0
    """

    def __init__(self, content_reduction="sum", reduction="sum_over_batch_size", name="content_loss", dtype=None):
        check_choice("content_reduction", content_reduction, ("sum", "mean"))
        super().__init__(_content_loss_per_image, reduction=reduction, name=name, dtype=dtype,
                         content_reduction=content_reduction)


@keras.saving.register_keras_serializable(package="stylegan_edu")
class StyleLoss(_Wrapper):
    """Style loss between the Gram matrices of ``y_true`` and ``y_pred`` feature maps (B, H, W, C), per image.

    Example:

    >>> import numpy as np
    >>> f = np.random.default_rng(1).normal(size=(2, 4, 4, 3)).astype("float32")
    >>> float(StyleLoss()(f, f))
    0.0
    """

    def __init__(self, reduction="sum_over_batch_size", name="style_loss", dtype=None):
        super().__init__(_style_loss_per_image, reduction=reduction, name=name, dtype=dtype)


@keras.saving.register_keras_serializable(package="stylegan_edu")
class TotalVariationLoss(_Wrapper):
    """:func:`total_variation_loss` of ``y_pred`` per image; ``y_true`` is ignored.

    Example:

    >>> import numpy as np
    >>> img = np.array([[0, 1], [0, 1]], "float32").reshape(1, 2, 2, 1)
    >>> float(TotalVariationLoss()(img, img))
    2.0
    """

    def __init__(self, kind="l1", reduction="sum_over_batch_size", name="total_variation_loss", dtype=None):
        check_choice("kind", kind, ("l1", "l2"))
        super().__init__(_total_variation_per_image, reduction=reduction, name=name, dtype=dtype, kind=kind)
