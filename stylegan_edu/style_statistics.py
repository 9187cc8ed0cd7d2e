r"""Style as statistics: per-channel means and standard deviations of feature maps.

Huang & Belongie (2017) describe the style of an image by the mean and standard
deviation of each channel of its feature maps, and transfer it with adaptive
instance normalisation (AdaIN): normalise each channel of the content features,
then give it the style's mean and standard deviation. Li et al. (2017) show how
this relates to the Gram matrices of :func:`stylegan_edu.losses.gram_matrix`:
matching Gram matrices is a two-sample test (MMD) with a quadratic kernel,
matching means the linear kernel, and matching means and standard deviations
matches batch-normalisation statistics.

Chapter 12 uses these functions in feature space (VGG16 features); the
:class:`stylegan_edu.models.AdaIN` layer applies the same normalisation with
statistics computed from a learned vector w (StyleGAN).

Everything here uses ``keras.ops``, so it runs on every Keras backend.
"""

import keras
import numpy as np
from keras import ops

from stylegan_edu._validation import check_finite_if_concrete, check_float_range, check_layers, check_tensor, concrete, invalid

__all__ = ["channel_mean_std", "instance_normalize", "adain", "mean_std_style_loss"]


def _features(name, x):
    """``x`` as a float tensor of rank 4 (B, H, W, C), with finite values when they are concrete."""
    check_tensor(name, x)  # real numeric, and in eager mode non-empty and finite
    x = ops.convert_to_tensor(x)
    if not keras.backend.standardize_dtype(x.dtype).startswith(("float", "bfloat")):
        x = ops.cast(x, "float32")
    if len(x.shape) != 4:
        raise invalid(name, "a feature map of shape (B, H, W, C)", f"shape {tuple(x.shape)}")
    check_finite_if_concrete(name, x)
    return x


def _epsilon(epsilon):
    return check_float_range("epsilon", epsilon, 0.0, None)


def channel_mean_std(features, epsilon=1e-5):
    r"""Per-sample, per-channel mean and standard deviation over height and width.

    Formula:
        .. math:: \mu_c(x) = \frac{1}{HW} \sum_{i,j} x_{ijc}, \qquad
                  \sigma_c(x) = \sqrt{\frac{1}{HW} \sum_{i,j} (x_{ijc} - \mu_c(x))^2 + \epsilon}

        :math:`\epsilon` keeps :math:`\sigma` away from 0 for a constant
        channel (and its gradient finite).

    Args:
        features: x, shape (B, H, W, C).
        epsilon: added to the variance, >= 0.

    Returns:
        tuple: ``(mean, std)``, each of shape (B, C).

    Example:

    >>> import numpy as np
    >>> x = np.array([1.0, 3.0, 5.0, 7.0], "float32").reshape(1, 2, 2, 1)
    >>> mean, std = channel_mean_std(x, epsilon=0.0)
    >>> float(mean[0, 0]), float(std[0, 0])  # std of 1, 3, 5, 7 is sqrt(5)
    (4.0, 2.2360680103302)
    """
    x = _features("features", features)  # (B, H, W, C)
    eps = _epsilon(epsilon)
    mean = ops.mean(x, axis=(1, 2))  # (B, C)
    var = ops.mean(ops.square(x - mean[:, None, None, :]), axis=(1, 2))  # (B, C)
    return mean, ops.sqrt(var + eps)


def instance_normalize(features, epsilon=1e-5):
    r"""Instance normalisation: each channel of each sample to mean 0 and standard deviation 1.

    Formula:
        .. math:: \hat x_{ijc} = \frac{x_{ijc} - \mu_c(x)}{\sigma_c(x)}

        with :math:`\mu, \sigma` from :func:`channel_mean_std` (:math:`\epsilon`
        in the denominator: a constant channel becomes 0).

    Args:
        features: x, shape (B, H, W, C).
        epsilon: added to the variance, >= 0.

    Returns:
        A tensor of the shape of ``features``.

    Example:

    >>> import numpy as np
    >>> x = np.random.default_rng(0).normal(3.0, 2.0, size=(2, 8, 8, 4)).astype("float32")
    >>> y = np.asarray(instance_normalize(x))
    >>> bool(np.allclose(y.mean(axis=(1, 2)), 0, atol=1e-5)), bool(np.allclose(y.std(axis=(1, 2)), 1, atol=1e-4))
    (True, True)
    """
    x = _features("features", features)  # (B, H, W, C)
    mean, std = channel_mean_std(x, epsilon)  # (B, C) each
    return (x - mean[:, None, None, :]) / std[:, None, None, :]  # (B, H, W, C)


def adain(content, style, epsilon=1e-5):
    r"""Adaptive instance normalisation in feature space (Huang & Belongie, 2017).

    Gives each channel of the content features the mean and standard
    deviation of the same channel of the style features: the content's
    spatial layout, the style's statistics.

    Formula:
        .. math:: \mathrm{AdaIN}(x, y) = \sigma(y)\, \frac{x - \mu(x)}{\sigma(x)} + \mu(y)

        per sample and channel, with :math:`\mu, \sigma` over height and
        width from :func:`channel_mean_std` (:math:`\epsilon` added to both
        variances).

    Args:
        content: x, shape (B, H, W, C).
        style: y, shape (B, H', W', C) or (1, H', W', C) (one style for the
            whole batch); its size may differ from the content's, the number
            of channels may not.
        epsilon: added to the variances, >= 0.

    Returns:
        A tensor of the shape of ``content``.

    Raises:
        ValueError: for inputs that are not (B, H, W, C), different numbers
            of channels, or batch sizes that do not broadcast.

    Example:

    >>> import numpy as np
    >>> rng = np.random.default_rng(0)
    >>> x = rng.normal(size=(1, 16, 16, 3)).astype("float32")
    >>> y = rng.normal(5.0, 3.0, size=(1, 8, 8, 3)).astype("float32")
    >>> out = np.asarray(adain(x, y))
    >>> bool(np.allclose(out.mean(axis=(1, 2)), y.mean(axis=(1, 2)), atol=1e-4))
    True
    >>> bool(np.allclose(out.std(axis=(1, 2)), y.std(axis=(1, 2)), atol=1e-3))
    True
    >>> adain(x, y[..., :2])
    Traceback (most recent call last):
    ...
    ValueError: Invalid value for argument `style`. Expected a feature map with the same number of channels as `content`, 3. Received: shape (1, 8, 8, 2)
    """
    x = _features("content", content)  # (B, H, W, C)
    y = _features("style", style)  # (B or 1, H', W', C)
    if x.shape[-1] is not None and y.shape[-1] is not None and x.shape[-1] != y.shape[-1]:
        raise invalid("style", f"a feature map with the same number of channels as `content`, {x.shape[-1]}", f"shape {tuple(y.shape)}")
    if x.shape[0] is not None and y.shape[0] is not None and y.shape[0] not in (1, x.shape[0]):
        raise invalid("style", f"a batch of 1 or of {x.shape[0]} (the batch of `content`)", f"shape {tuple(y.shape)}")
    mean_x, std_x = channel_mean_std(x, epsilon)  # (B, C)
    mean_y, std_y = channel_mean_std(y, epsilon)  # (B or 1, C)
    normalized = (x - mean_x[:, None, None, :]) / std_x[:, None, None, :]  # (B, H, W, C)
    return normalized * std_y[:, None, None, :] + mean_y[:, None, None, :]  # (B, H, W, C)


def _safe_norm(diff):
    """Euclidean norm over the last axis, with gradient 0 (not NaN) where the norm is 0."""
    s = ops.sum(ops.square(diff), axis=-1)  # (B,)
    positive = s > 0
    return ops.where(positive, ops.sqrt(ops.where(positive, s, ops.ones_like(s))), ops.zeros_like(s))


def mean_std_style_loss(features, target_stats, layer_weights=None, squared=False, epsilon=1e-5):
    r"""Style loss on per-channel means and standard deviations, summed over layers.

    The statistics-based counterpart of :func:`stylegan_edu.losses.style_loss`
    (which compares Gram matrices), with the same arguments: a dict of
    feature maps, a dict of targets computed once from the style image, and
    optional layer weights.

    Formula:
        Huang & Belongie (2017), ``squared=False`` (the default):

        .. math:: L = \sum_l w_l \left( \lVert \mu(F^l) - \mu(S^l) \rVert_2
                    + \lVert \sigma(F^l) - \sigma(S^l) \rVert_2 \right)

        Li et al. (2017), ``squared=True`` (matching batch-normalisation
        statistics):

        .. math:: L = \sum_l w_l \, \frac{1}{C_l} \sum_c \left( (\mu_c(F^l) - \mu_c(S^l))^2
                    + (\sigma_c(F^l) - \sigma_c(S^l))^2 \right)

        with :math:`\mu, \sigma` from :func:`channel_mean_std`, the default
        weights :math:`w_l = 1/L`, averaged over the batch.

    Args:
        features: a dict ``{layer: (B, H, W, C) feature map}``, or one map.
        target_stats: a dict ``{layer: (mean, std)}`` with the same keys,
            each of shape (B or 1, C) (what :func:`channel_mean_std` returns
            for the style image's features), or one such pair.
        layer_weights: optional dict ``{layer: weight >= 0}``.
        squared: ``False`` for Huang & Belongie's norms, ``True`` for Li et
            al.'s mean squared differences.
        epsilon: added to the variance of ``features``, >= 0.

    Returns:
        A scalar tensor.

    Example:

    >>> import numpy as np
    >>> F = np.random.default_rng(0).normal(size=(1, 4, 4, 3)).astype("float32")
    >>> float(mean_std_style_loss(F, channel_mean_std(F)))
    0.0
    >>> mean, std = channel_mean_std(F, epsilon=0.0)
    >>> round(float(mean_std_style_loss(F + 1.0, (mean, std), epsilon=0.0)), 4)  # shifted: ||(1, 1, 1)|| = sqrt(3)
    1.7321
    """
    if not isinstance(squared, bool):
        raise invalid("squared", "True or False", f"squared={squared!r}")
    features, target_stats, weights = check_layers(features, target_stats, layer_weights, targets_name="target_stats")
    total = 0.0
    for name, w in weights.items():
        if w == 0.0:
            continue
        mean, std = channel_mean_std(_features(f"features[{name!r}]", features[name]), epsilon)  # (B, C) each
        target = target_stats[name]
        if not isinstance(target, (tuple, list)) or len(target) != 2:
            raise invalid(f"target_stats[{name!r}]", "a pair (mean, std), as channel_mean_std returns", f"{type(target).__name__}")
        distance = 0.0
        for what, ours, theirs in (("mean", mean, target[0]), ("std", std, target[1])):
            theirs = ops.cast(ops.convert_to_tensor(theirs), ours.dtype)
            if len(theirs.shape) != 2 or theirs.shape[-1] != ours.shape[-1]:
                raise invalid(f"target_stats[{name!r}]", f"a {what} of shape (B or 1, {ours.shape[-1]})", f"shape {tuple(theirs.shape)}")
            check_finite_if_concrete(f"target_stats[{name!r}]", theirs)
            diff = ours - theirs  # (B, C)
            if squared:
                distance = distance + ops.mean(ops.square(diff), axis=-1)  # (B,)
            else:
                distance = distance + _safe_norm(diff)  # (B,)
        total = total + w * ops.mean(distance)
    if isinstance(total, float):
        return ops.convert_to_tensor(total, "float32")
    return total
